import Testing
@testable import Storage

/// ``Statement/run(bindingBlobInPlace:at:)``: the blob is stored byte-exact without a copy being
/// bound, and afterwards the statement holds no pointer to it (its parameter is NULL again).
@Suite struct StatementInPlaceBlobTests {
    @Test func storesTheBytesAndLeavesTheParameterNull() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.migrate(Fixture.valuesSchema)
        let insert = try database.prepare("INSERT INTO items(id, value) VALUES (?, ?)")
        let payloads: [[UInt8]] = [[0], Array(0...255), [UInt8](repeating: 0x5a, count: 100_000), []]
        for (offset, payload) in payloads.enumerated() {
            try insert.bind(.integer(Int64(offset + 1)), at: 1)
            try insert.run(bindingBlobInPlace: payload, at: 2)
        }
        // Stepped again with only the id bound, the blob parameter is NULL, not the last payload.
        try insert.bind(.integer(10), at: 1)
        #expect(try insert.step() == false)
        insert.reset()
        let rows = try database.query("SELECT id, value FROM items ORDER BY id")
        #expect(rows.map { $0[0] } == [.integer(1), .integer(2), .integer(3), .integer(4), .integer(10)])
        #expect(rows.map { $0[1] } == payloads.map { DatabaseValue.blob($0) } + [.null])
    }

    @Test func aFailedStepThrowsAndResets() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.migrate(Fixture.valuesSchema)
        let insert = try database.prepare("INSERT INTO items(id, value) VALUES (?, ?)")
        try insert.bind(.integer(1), at: 1)
        try insert.run(bindingBlobInPlace: [1, 2, 3], at: 2)
        try insert.bind(.integer(1), at: 1)
        let error = Fixture.storageError { try insert.run(bindingBlobInPlace: [4, 5, 6], at: 2) }
        #expect(error?.code == .constraint)
        #expect(!insert.isBusy)
        #expect(Fixture.storageError { try insert.run(bindingBlobInPlace: [7], at: 3) }?.code == .bind)
        #expect(try database.query("SELECT value FROM items").map { $0[0] } == [.blob([1, 2, 3])])
    }
}
