import Storage

extension RelayStore {
    /// The statements every envelope runs, prepared once and kept: no SQL-text look-up, no
    /// bindings array per envelope.
    struct HotStatements {
        let insertEnvelope: Statement
        let insertCiphertext: Statement
        /// Deletes a run of consecutive sequence numbers (`?1` to `?2`, inclusive).
        let deleteCiphertexts: Statement
    }

    /// The hot statements, prepared on first use.
    func hotStatements() throws(StorageError) -> HotStatements {
        if let statements { return statements }
        let prepared = HotStatements(
            insertEnvelope: try database.prepare("""
                INSERT INTO envelopes(seq, id_high, id_low, sender, client_id, recipient, time, kind, category)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """),
            insertCiphertext: try database.prepare("INSERT INTO ciphertexts(seq, bytes) VALUES (?, ?)"),
            deleteCiphertexts: try database.prepare("DELETE FROM ciphertexts WHERE seq BETWEEN ?1 AND ?2")
        )
        statements = prepared
        return prepared
    }

    /// Applies a batch inside its transaction, as planned by ``RelayCommitPlan``: per segment, the
    /// acknowledged ciphertexts are deleted first, run by run, then the other writes in order.
    func apply(_ writes: [RelayWrite], on database: Database) throws(StorageError) {
        let plan = RelayCommitPlan(writes) { id in legacySequence(of: id) }
        for segment in plan.segments {
            try deleteCiphertexts(segment.deletions)
            let skipped = segment.insertedThenAcknowledged
            for index in segment.writes {
                switch writes[index] {
                case let .enqueue(envelope):
                    try insert(envelope, storingCiphertext: skipped.isEmpty || !skipped.contains(Int64(bitPattern: envelope.sequence)))
                case .acknowledge:
                    continue
                case let write:
                    try apply(write, on: database)
                }
            }
        }
    }

    /// The row key of an acknowledged envelope: its id's low half, or, for envelopes stored by
    /// schema 1, the sequence number loaded with it (forgotten once acknowledged).
    private func legacySequence(of id: EnvelopeID) -> Int64 {
        guard !legacySequences.isEmpty, let sequence = legacySequences.removeValue(forKey: id) else {
            return Int64(bitPattern: id.low)
        }
        return sequence
    }

    /// Deletes the ciphertext rows of `runs` (with `secure_delete`, their bytes are overwritten).
    private func deleteCiphertexts(_ runs: [ClosedRange<Int64>]) throws(StorageError) {
        guard !runs.isEmpty else { return }
        let delete = try hotStatements().deleteCiphertexts
        for run in runs {
            defer { delete.reset() }
            try delete.bind(.integer(run.lowerBound), at: 1)
            try delete.bind(.integer(run.upperBound), at: 2)
            _ = try delete.step()
        }
    }

    /// Runs one write inside the batch's transaction, as it comes (the batch's `apply` plans
    /// envelopes and acknowledgements itself and passes only the other writes here).
    private func apply(_ write: RelayWrite, on database: Database) throws(StorageError) {
        switch write {
        case let .enqueue(envelope):
            try insert(envelope, storingCiphertext: true)
        case let .acknowledge(ids):
            try deleteCiphertexts(ids.map { id in
                let sequence = legacySequence(of: id)
                return sequence...sequence
            })
        case let .register(phone, device, digest):
            try database.execute("INSERT OR REPLACE INTO registrations(phone, device, token_digest) VALUES (?, ?, ?)",
                                 bindings: [.integer(Int64(phone.digits)), .integer(Int64(device.rawValue)), .blob(digest.bytes)])
        case let .replacePreKeys(phone, bundles, firstSequence):
            try database.execute("DELETE FROM prekeys WHERE phone = ?", bindings: [.integer(Int64(phone.digits))])
            for (offset, bundle) in bundles.enumerated() {
                try database.execute("INSERT INTO prekeys(phone, sequence, bundle) VALUES (?, ?, ?)", bindings: [
                    .integer(Int64(phone.digits)), .integer(firstSequence + Int64(offset)), .blob(bundle),
                ])
            }
        case let .removePreKey(phone, sequence):
            try database.execute("DELETE FROM prekeys WHERE phone = ? AND sequence = ?",
                                 bindings: [.integer(Int64(phone.digits)), .integer(sequence)])
        case let .block(blocker, blocked, reason, time):
            try database.execute("INSERT OR REPLACE INTO blocks(blocker, blocked, reason, time) VALUES (?, ?, ?, ?)",
                                 bindings: [.integer(Int64(blocker.digits)), .integer(Int64(blocked.digits)),
                                            .integer(Int64(reason.rawValue)), .integer(time)])
        case let .report(reporter, report, time):
            try database.execute("INSERT INTO reports(time, reporter, business, reason, envelope) VALUES (?, ?, ?, ?, ?)",
                                 bindings: [.integer(time), .integer(Int64(reporter.digits)), .integer(Int64(report.business.digits)),
                                            .integer(Int64(report.reason.rawValue)), report.envelopeID.map { .blob($0.bytes) } ?? .null])
        case let .expire(envelopesBefore, tombstonesBefore):
            try expire(envelopesBefore: envelopesBefore, tombstonesBefore: tombstonesBefore, on: database)
        }
    }

    /// One accepted envelope: its metadata row, and its ciphertext row unless it is a tombstone or
    /// `storingCiphertext` is off (acknowledged in the same batch).
    private func insert(_ envelope: StoredEnvelope, storingCiphertext: Bool) throws(StorageError) {
        let statements = try hotStatements()
        let sequence = DatabaseValue.integer(Int64(bitPattern: envelope.sequence))
        let row = statements.insertEnvelope
        defer { row.reset() }
        try row.bind(sequence, at: 1)
        try row.bind(.integer(Int64(bitPattern: envelope.id.high)), at: 2)
        try row.bind(.integer(Int64(bitPattern: envelope.id.low)), at: 3)
        try row.bind(.integer(Int64(envelope.sender.digits)), at: 4)
        try row.bind(.integer(Int64(bitPattern: envelope.clientMessageID)), at: 5)
        try row.bind(.integer(Int64(envelope.recipient.digits)), at: 6)
        try row.bind(.integer(envelope.time), at: 7)
        try row.bind(.integer(Int64(envelope.kind.kindByte)), at: 8)
        try row.bind(.integer(Int64(envelope.kind.categoryByte)), at: 9)
        _ = try row.step()
        guard storingCiphertext, let ciphertext = envelope.ciphertext else { return }
        let bytes = statements.insertCiphertext
        try bytes.bind(sequence, at: 1)
        try bytes.run(bindingBlobInPlace: ciphertext, at: 2)
    }

    /// Deletes envelopes (with their ciphertext) accepted before `envelopesBefore`, and tombstones
    /// accepted before `tombstonesBefore`. Times grow with the sequence number, so each cut is the
    /// sequence number of the first row at or after the time (found by a scan that stops there);
    /// a row is deleted only if everything before it is older than the cut. First the next
    /// sequence number is saved in `meta`, so deleting the newest rows never lets it be reused.
    private func expire(envelopesBefore: Int64, tombstonesBefore: Int64, on database: Database) throws(StorageError) {
        try database.execute("""
            INSERT OR REPLACE INTO meta(key, value) SELECT 'next_sequence',
                MAX(COALESCE((SELECT value FROM meta WHERE key = 'next_sequence'), 1), COALESCE(MAX(seq), 0) + 1)
            FROM envelopes
            """, bindings: [])
        func cut(_ time: Int64) throws(StorageError) -> Int64 {
            try database.query("SELECT seq FROM envelopes WHERE time >= ? ORDER BY seq LIMIT 1", bindings: [.integer(time)])
                .first?[0].int64Value ?? .max
        }
        let envelopeCut = try cut(envelopesBefore)
        let tombstoneCut = try cut(tombstonesBefore)
        try database.execute("DELETE FROM ciphertexts WHERE seq < ?", bindings: [.integer(envelopeCut)])
        try database.execute("DELETE FROM envelopes WHERE seq < ?", bindings: [.integer(envelopeCut)])
        try database.execute("""
            DELETE FROM envelopes WHERE seq < ?1 AND seq NOT IN (SELECT seq FROM ciphertexts WHERE seq < ?1)
            """, bindings: [.integer(tombstoneCut)])
    }
}
