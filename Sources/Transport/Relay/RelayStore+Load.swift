import Storage

extension RelayStore {
    /// Everything the core needs to resume. Tombstones older than `idempotencyCutoff` and envelopes
    /// older than `envelopeCutoff` are skipped (the next tick deletes them).
    public func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot {
        var snapshot = RelaySnapshot()
        for row in try rows("SELECT phone, device, token_digest FROM registrations") {
            guard let phone = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let device = row[1].int64Value.flatMap({ UInt32(exactly: $0) }).flatMap({ DeviceID(rawValue: $0) }),
                  let digest = row[2].blobValue.flatMap({ TokenDigest(bytes: $0) })
            else { throw RelayError.corruptRow(table: "registrations", "phone \(row[0])") }
            snapshot.registrations[phone] = RelaySnapshot.Registration(device: device, tokenDigest: digest)
        }
        for row in try rows("SELECT phone, sequence, bundle FROM prekeys ORDER BY phone, sequence") {
            guard let phone = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let sequence = row[1].int64Value, let bundle = row[2].blobValue
            else { throw RelayError.corruptRow(table: "prekeys", "phone \(row[0])") }
            snapshot.preKeys[phone, default: []].append((sequence, bundle))
        }
        let envelopes = try rows("""
            SELECT e.seq, e.id_high, e.id_low, e.sender, e.client_id, e.recipient, e.time, e.kind, e.category, c.bytes
            FROM envelopes e LEFT JOIN ciphertexts c ON c.seq = e.seq
            WHERE e.time >= ? AND (c.bytes IS NOT NULL OR e.time >= ?) ORDER BY e.seq
            """, bindings: [.integer(envelopeCutoff), .integer(idempotencyCutoff)])
        snapshot.envelopes.reserveCapacity(envelopes.count)
        legacySequences = [:]
        for row in envelopes {
            guard let sequence = row[0].int64Value, sequence > 0,
                  let high = row[1].int64Value, let low = row[2].int64Value,
                  let sender = row[3].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let clientID = row[4].int64Value,
                  let recipient = row[5].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let time = row[6].int64Value,
                  let kindByte = row[7].int64Value.flatMap({ UInt8(exactly: $0) }),
                  let categoryByte = row[8].int64Value.flatMap({ UInt8(exactly: $0) }),
                  let kind = EnvelopeKind(kind: kindByte, category: categoryByte)
            else { throw RelayError.corruptRow(table: "envelopes", "seq \(row[0])") }
            let id = EnvelopeID(high: UInt64(bitPattern: high), low: UInt64(bitPattern: low))
            if low != sequence, row[9].blobValue != nil { legacySequences[id] = sequence }
            snapshot.envelopes.append(StoredEnvelope(
                id: id, sender: sender, clientMessageID: UInt64(bitPattern: clientID), recipient: recipient,
                time: time, kind: kind, ciphertext: row[9].blobValue, sequence: UInt64(sequence)
            ))
        }
        let next = try rows("""
            SELECT MAX(COALESCE((SELECT value FROM meta WHERE key = 'next_sequence'), 1), COALESCE(MAX(seq), 0) + 1)
            FROM envelopes
            """)
        snapshot.nextSequence = next.first?[0].int64Value.map { UInt64(max(1, $0)) } ?? 1
        for row in try rows("SELECT blocker, blocked FROM blocks") {
            guard let blocker = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let blocked = row[1].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) })
            else { throw RelayError.corruptRow(table: "blocks", row.description) }
            snapshot.blocks[blocker, default: []].insert(blocked)
        }
        return snapshot
    }

    /// Runs a query, wrapping the storage error.
    private func rows(_ sql: String, bindings: [DatabaseValue] = []) throws(RelayError) -> [Row] {
        do throws(StorageError) {
            return try database.query(sql, bindings: bindings)
        } catch {
            throw .storage(error)
        }
    }
}
