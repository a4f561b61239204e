import Storage

extension RelayStore {
    /// The schema, oldest step first. Released steps are never edited; a change is a new step.
    /// `tokenHasher` digests the tokens schema 1 and 2 stored (step 3).
    static func migrations(tokenHasher: TokenHasher) -> [Migration] { [
        Migration(version: 1, sql: """
            CREATE TABLE registrations(
                phone INTEGER PRIMARY KEY, device INTEGER NOT NULL, token BLOB NOT NULL);
            CREATE TABLE prekeys(
                phone INTEGER NOT NULL, sequence INTEGER NOT NULL, bundle BLOB NOT NULL,
                PRIMARY KEY(phone, sequence)) WITHOUT ROWID;
            CREATE TABLE envelopes(
                seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, sender INTEGER NOT NULL,
                client_id INTEGER NOT NULL, recipient INTEGER NOT NULL, time INTEGER NOT NULL,
                kind INTEGER NOT NULL, category INTEGER NOT NULL, ciphertext BLOB);
            CREATE INDEX envelopes_time ON envelopes(time);
            CREATE TABLE blocks(
                blocker INTEGER NOT NULL, blocked INTEGER NOT NULL, reason INTEGER NOT NULL,
                time INTEGER NOT NULL, PRIMARY KEY(blocker, blocked)) WITHOUT ROWID;
            CREATE TABLE reports(
                seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, reporter INTEGER NOT NULL,
                business INTEGER NOT NULL, reason INTEGER NOT NULL, envelope BLOB);
            """, keyTables: ["registrations"]),
        // Schema 2: envelopes keyed by the relay's sequence number only (no index on a random id,
        // no time index: time grows with the sequence), ciphertext in a table of its own so an
        // acknowledgement deletes one row and emptied pages are reused, and the next sequence
        // number kept in `meta` so one is never handed out twice. Schema-1 rows keep their seq
        // and their random ids (split into two integers).
        Migration(version: 2, keyTables: ["registrations"]) { database throws(StorageError) in
            try database.execute("""
                CREATE TABLE envelopes_v2(
                    seq INTEGER PRIMARY KEY, id_high INTEGER NOT NULL, id_low INTEGER NOT NULL,
                    sender INTEGER NOT NULL, client_id INTEGER NOT NULL, recipient INTEGER NOT NULL,
                    time INTEGER NOT NULL, kind INTEGER NOT NULL, category INTEGER NOT NULL);
                CREATE TABLE ciphertexts(seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
                CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
            let rows = try database.query("""
                SELECT seq, id, sender, client_id, recipient, time, kind, category, ciphertext FROM envelopes ORDER BY seq
                """)
            for row in rows {
                guard let id = row[1].blobValue.flatMap({ EnvelopeID(bytes: $0) }) else {
                    throw .aborted("envelope row \(row[0]) has no 16-byte id")
                }
                try database.execute("""
                    INSERT INTO envelopes_v2(seq, id_high, id_low, sender, client_id, recipient, time, kind, category)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, bindings: [
                        row[0], .integer(Int64(bitPattern: id.high)), .integer(Int64(bitPattern: id.low)),
                        row[2], row[3], row[4], row[5], row[6], row[7],
                    ])
                if case .blob = row[8] {
                    try database.execute("INSERT INTO ciphertexts(seq, bytes) VALUES (?, ?)", bindings: [row[0], row[8]])
                }
            }
            try database.execute("""
                INSERT INTO meta(key, value) SELECT 'next_sequence', COALESCE(MAX(seq), 0) + 1 FROM envelopes;
                DROP INDEX envelopes_time;
                DROP TABLE envelopes;
                ALTER TABLE envelopes_v2 RENAME TO envelopes;
                """)
        },
        // Schema 3: registrations keep the digest of each token, never the token. Every stored
        // token is replaced by its digest (the connection runs with `secure_delete`, so the old
        // table's rows are overwritten as it is dropped); devices keep their tokens and log in
        // as before.
        Migration(version: 3, keyTables: ["registrations"]) { database throws(StorageError) in
            try database.execute("""
                CREATE TABLE registrations_v3(
                    phone INTEGER PRIMARY KEY, device INTEGER NOT NULL, token_digest BLOB NOT NULL);
                """)
            for row in try database.query("SELECT phone, device, token FROM registrations ORDER BY phone") {
                guard let token = row[2].blobValue.flatMap({ RelayToken(bytes: $0) }) else {
                    throw .aborted("registration row \(row[0]) has no 32-byte token")
                }
                guard let digest = tokenHasher.digest(of: token) else {
                    throw .aborted("the token hasher (\(tokenHasher.name)) failed on registration row \(row[0])")
                }
                try database.execute("INSERT INTO registrations_v3(phone, device, token_digest) VALUES (?, ?, ?)",
                                     bindings: [row[0], row[1], .blob(digest.bytes)])
            }
            try database.execute("""
                DROP TABLE registrations;
                ALTER TABLE registrations_v3 RENAME TO registrations;
                """)
        },
    ] }
}
