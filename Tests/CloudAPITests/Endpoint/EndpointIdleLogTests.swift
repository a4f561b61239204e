import Foundation
import Testing
@testable import CloudAPI
@testable import Transport

/// The endpoint's loop never truncates its logs; once they go quiet, the syncer empties them.
@Suite("Cloud API endpoint: idle logs are emptied off the loop")
struct EndpointIdleLogTests {
    @Test("after traffic stops, two slow ticks empty the day log and the registry log; the store works on")
    func idleLogsAreEmptied() throws {
        let clock = TestClock(RelayServer.wallClock())
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        let rig = try EndpointRig(
            "idle-logs", businesses: [.init(phone: "+14155550100", webhookURL: "http://127.0.0.1:1/hook")],
            webhooks: webhooks, clock: clock)
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        let shop = rig.businesses[0].account.phone
        let dayLogs = rig.root + "/cloudapi/regions/eu/days"
        let registryLog = rig.root + "/cloudapi/cloudapi.sqlite-wal"

        _ = loop.executeAndWait { alice.send("first", to: shop, id: 1) }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.webhooksDelivered } == 1 })
        let dayLog = try #require(try FileManager.default.contentsOfDirectory(atPath: dayLogs).first { $0.hasSuffix(".sqlite-wal") })
        #expect(Self.size(dayLogs + "/" + dayLog) > 0)
        #expect(Self.size(registryLog) > 0)

        // Slow ticks run every 2 s of the endpoint's clock: one notes the commit counts, the next
        // finds them unchanged and hands the logs to the syncer.
        let emptied = eventually(15) {
            clock.advance(2_000)
            usleep(300_000)
            return Self.size(dayLogs + "/" + dayLog) == 0 && Self.size(registryLog) == 0
        }
        #expect(emptied, "day log \(Self.size(dayLogs + "/" + dayLog)) bytes, registry log \(Self.size(registryLog)) bytes")

        // Writes go on into the emptied logs.
        _ = loop.executeAndWait { alice.send("second", to: shop, id: 2) }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.webhooksDelivered } == 2 })
        // (In the day log of the second message's day: the clock ran on, maybe past midnight.)
        let logs = try FileManager.default.contentsOfDirectory(atPath: dayLogs).filter { $0.hasSuffix(".sqlite-wal") }
        #expect(logs.contains { Self.size(dayLogs + "/" + $0) > 0 })
        let texts = webhooks.posts.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(texts.contains { $0.contains("first") } && texts.contains { $0.contains("second") })
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.commitFailures } == 0)
    }

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }
}
