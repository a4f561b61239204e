import Foundation
import Testing
@testable import Transport

/// ``RelayCheckpointer``: its runs copy the WAL back from a second connection, and once the WAL
/// has passed the reset threshold it asks the writer to finish, after which the next commit starts
/// the WAL over — so the WAL stays bounded however long the writer keeps committing.
@Suite("Relay checkpointer", .timeLimit(.minutes(1)))
struct RelayCheckpointerTests {
    /// Frames in the WAL, from a passive checkpoint on `store`'s connection.
    static func walFrames(_ store: RelayStore) throws -> Int64 {
        try store.database.query("PRAGMA wal_checkpoint(PASSIVE)").first?[1].int64Value ?? -1
    }

    @Test("past its threshold it asks the writer to finish, and the next commit starts the WAL over")
    func writerFinishesAndTheWALRestarts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-wal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RelayStore(directory: directory, tokenHasher: .testing, checkpointsInline: false)
        defer { store.close() }
        let path = try #require(store.checkpointPath)
        let checkpointer = try RelayCheckpointer(path: path, minimumInterval: .milliseconds(1), resetThreshold: 256 << 10)
        defer { checkpointer.close() }
        #expect(!checkpointer.needsWriterCheckpoint)

        // ~400 KiB of envelopes in 8 commits: more than the 256 KiB threshold (16 pages of 16 KiB).
        var sequence: UInt64 = 1
        for _ in 0..<8 {
            var writes: [RelayWrite] = []
            for _ in 0..<10 {
                writes.append(.enqueue(RelayCommitPlanTests.envelope(sequence, ciphertext: Array(repeating: UInt8(truncatingIfNeeded: sequence), count: 5_000))))
                sequence += 1
            }
            try store.commit(writes)
        }
        checkpointer.nudge()
        #expect(SystemTestSupport.waitUntil { checkpointer.needsWriterCheckpoint })
        // The WAL's length in frames (header 32 bytes, each frame 24 + one page).
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        #expect((walBytes - 32) / (RelayStore.pageSize + 24) >= 16)

        // The writer finishes between two commits (as the storage thread does); the next commit
        // writes its few pages at the start of the WAL instead of after the 400 KiB.
        store.checkpoint()
        try store.commit([.enqueue(RelayCommitPlanTests.envelope(sequence))])
        let frames = try Self.walFrames(store)
        #expect(frames > 0 && frames <= 4, "frames in the WAL after the restart: \(frames)")
        let snapshot = try store.load(envelopeCutoff: 0, idempotencyCutoff: 0)
        #expect(snapshot.envelopes.count == 81 && snapshot.envelopes.last?.sequence == 81)
    }
}
