extension Database {
    /// Brings the database's schema up to the newest of `migrations`.
    ///
    /// - Reads `PRAGMA user_version`; a file newer than the newest step is refused with
    ///   ``StorageError/Code/schemaTooNew`` (running old code on it would misread it).
    /// - Turns on `PRAGMA secure_delete` for this connection when any step declares
    ///   ``Migration/keyTables`` — every connection migrates at start-up, so the setting follows
    ///   the schema.
    /// - Applies each missing step in its own `BEGIN IMMEDIATE` transaction that also sets
    ///   `user_version`, re-reading the version inside the transaction so two processes migrating
    ///   at once apply each step once. A failing step is rolled back (the schema stays at the
    ///   previous version) and reported as ``StorageError/Code/migration`` with its version.
    ///
    /// - Parameter migrations: The schema's steps, in any order; versions must be positive and
    ///   unique.
    /// - Returns: The versions applied now, ascending (empty when already current).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws(StorageError) -> [Int] {
        let steps = migrations.sorted { $0.version < $1.version }
        for (index, step) in steps.enumerated() {
            guard step.version > 0, index == 0 || steps[index - 1].version != step.version else {
                throw StorageError(code: .migration, message: "migration versions must be positive and unique",
                                   operation: "migrate \(path)", migrationVersion: step.version)
            }
        }
        let newest = steps.last?.version ?? 0
        let found = try userVersion()
        guard found <= newest else {
            throw StorageError(
                code: .schemaTooNew,
                message: "the database's schema version \(found) is newer than this code knows (\(newest))",
                operation: "migrate \(path)", migrationVersion: found
            )
        }
        if steps.contains(where: \.holdsKeys) {
            try execute("PRAGMA secure_delete=ON")
        }
        var applied: [Int] = []
        for step in steps where step.version > found {
            do {
                try beginImmediate()
                if try userVersion() >= step.version {
                    try commitTransaction()
                    continue
                }
                try step.apply(self)
                try execute("PRAGMA user_version=\(step.version)")
                try commitTransaction()
            } catch {
                rollbackIfInTransaction()
                throw .migration(step.version, underlying: error)
            }
            applied.append(step.version)
        }
        return applied
    }
}
