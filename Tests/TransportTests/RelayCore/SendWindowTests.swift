import Testing
@testable import Transport

@Suite("Idempotency window per sender")
struct SendWindowTests {
    func entry(_ clientMessageID: UInt64, time: Int64) -> SendWindow.Entry {
        SendWindow.Entry(clientMessageID: clientMessageID, id: EnvelopeID(high: 9, low: clientMessageID), time: time)
    }

    @Test("holds at most `limit` sends: the oldest are evicted first, the newest are found")
    func boundedByCount() {
        var window = SendWindow(seed: 1)
        for id in 1...100 as ClosedRange<UInt64> { window.remember(entry(id, time: Int64(id)), limit: 32) }
        #expect(window.count == 32)
        #expect((1...68 as ClosedRange<UInt64>).allSatisfy { window.entry(for: $0) == nil })
        #expect((69...100 as ClosedRange<UInt64>).allSatisfy { window.entry(for: $0)?.id == EnvelopeID(high: 9, low: $0) })
    }

    @Test("expiry by time forgets old sends and frees an emptied window")
    func boundedByTime() {
        var window = SendWindow(seed: 2)
        for id in 1...10 as ClosedRange<UInt64> { window.remember(entry(id, time: Int64(id) * 100), limit: 1_000) }
        window.expire(acceptedAtOrBefore: 500)
        #expect(window.count == 5)
        #expect(window.entry(for: 5) == nil && window.entry(for: 6)?.time == 600)
        window.expire(acceptedAtOrBefore: 10_000)
        #expect(window.count == 0 && window.entry(for: 10) == nil)
        window.remember(entry(10, time: 20_000), limit: 1_000)
        #expect(window.entry(for: 10)?.time == 20_000)
    }

    @Test("a reused client message id maps to its newest send, also after the older one is evicted")
    func reusedIDs() {
        var window = SendWindow(seed: 3)
        window.remember(entry(7, time: 1), limit: 4)
        window.remember(SendWindow.Entry(clientMessageID: 7, id: EnvelopeID(high: 1, low: 1), time: 2), limit: 4)
        #expect(window.entry(for: 7)?.time == 2)
        for id in 100...102 as ClosedRange<UInt64> { window.remember(entry(id, time: 3), limit: 4) }
        // The first entry for 7 was evicted; its key still finds the newer one.
        #expect(window.count == 4 && window.entry(for: 7)?.time == 2)
        window.remember(entry(103, time: 4), limit: 4)
        #expect(window.entry(for: 7) == nil)
    }

    @Test("increasing ids need no table; the first id that goes backwards builds one")
    func tableOnlyWhenIDsGoBackwards() {
        var window = SendWindow(seed: 4)
        for id in stride(from: 10, through: 1_000, by: 10) as StrideThrough<UInt64> { window.remember(entry(id, time: 1), limit: 64) }
        #expect(!window.isIndexed)
        #expect(window.entry(for: 1_000)?.clientMessageID == 1_000 && window.entry(for: 370)?.clientMessageID == 370)
        #expect(window.entry(for: 365) == nil && window.entry(for: 360) == nil && window.entry(for: 1_010) == nil)
        window.remember(entry(5, time: 2), limit: 64)
        #expect(window.isIndexed)
        #expect(window.entry(for: 5)?.time == 2 && window.entry(for: 1_000) != nil && window.entry(for: 370) == nil)
    }

    /// Mostly increasing ids with occasional jumps back and repeats, against a plain list of the
    /// last `limit` sends searched newest first; the failing seed is printed.
    @Test("agrees with a plain list of the last sends", arguments: 0..<30)
    func agreesWithAList(seed: UInt64) {
        var random = WireRandom(seed: seed)
        let limit = random.int(1...300)
        var window = SendWindow(seed: random.next())
        var list: [SendWindow.Entry] = []
        var next: UInt64 = 1
        var time: Int64 = 0
        for step in 0..<3_000 {
            time += Int64(random.int(0...2))
            let id: UInt64 = random.chance(0.97) ? next : UInt64(random.int(1...Int(next)))
            next += 1
            let new = SendWindow.Entry(clientMessageID: id, id: EnvelopeID(high: UInt64(step), low: id), time: time)
            window.remember(new, limit: limit)
            list.append(new)
            if list.count > limit { list.removeFirst() }
            if random.chance(0.01) {
                let cutoff = time - Int64(random.int(0...50))
                window.expire(acceptedAtOrBefore: cutoff)
                list.removeAll { $0.time <= cutoff }
            }
            let probe = UInt64(random.int(1...Int(next)))
            let expected = list.last { $0.clientMessageID == probe }
            #expect(window.entry(for: probe)?.id == expected?.id, "seed \(seed), step \(step), id \(probe)")
            #expect(window.count == list.count, "seed \(seed), step \(step)")
        }
    }

    @Test("the core answers a repeat from the window, and treats one beyond it as new")
    func coreHonoursTheBound() {
        var harness = CoreHarness(limits: RelayLimits(maximumRememberedSendsPerSender: 4))
        let alice = phone("+14155550100"), bob = phone("+447700900123")
        let (a, _) = harness.register(alice)
        _ = harness.register(bob)
        func send(_ id: UInt64) -> Frame? {
            frames(harness.frame(a, .send(OutgoingEnvelope(recipient: bob, clientMessageID: id, kind: .user, ciphertext: [1]))), to: a).first
        }
        let first = (1...5 as ClosedRange<UInt64>).map { send($0) }
        #expect(send(5) == first[4])          // among the last 4: the original `accepted`
        #expect(send(2) == first[1])
        #expect(harness.core.statistics.duplicates == 2)
        #expect(send(1) != first[0])          // evicted: accepted again as a new envelope
        #expect(harness.core.queuedCount == 6)
    }
}
