import Testing
@testable import Transport

@Suite struct MetadataEventTests {
    @Test(arguments: [(0, 64), (1, 64), (64, 64), (65, 128), (128, 128), (129, 256), (1000, 1024),
                      (1024, 1024), (1025, 2048), (262_144, 262_144), (10_000_000, 262_144)])
    func sizesRoundUpToPowersOfTwo(bytes: Int, bucket: Int) {
        #expect(SizeBucket(byteCount: bytes).upperBound == bucket)
    }

    @Test func bucketsAreOrderedAndNeverLeakExactSizes() {
        let buckets = (1...5000).map { SizeBucket(byteCount: $0) }
        #expect(buckets == buckets.sorted())
        #expect(Set(buckets.map(\.upperBound)) == [64, 128, 256, 512, 1024, 2048, 4096, 8192])
    }

    @Test func sinksAndPoliciesAreReplaceable() throws {
        let sink = CollectingSink()
        let alice = try #require(PhoneNumber("+447700900123"))
        let shop = try #require(PhoneNumber("+14155550100"))
        let id = EnvelopeID(high: 1, low: 2)
        sink.record(MetadataEvent(time: 1, kind: .envelope(sender: shop, recipient: alice, kind: .business(.marketing),
                                                           size: SizeBucket(byteCount: 700), id: id)))
        sink.record(MetadataEvent(time: 2, kind: .report(reporter: alice, business: shop, reason: .spam, envelope: id)))
        sink.flush()
        #expect(sink.events.count == 2)
        #expect(sink.events[1].kind == .report(reporter: alice, business: shop, reason: .spam, envelope: id))
        let policy: any AdmissionPolicy = AllowAllPolicy()
        #expect(policy.admit(sender: shop, recipient: alice, category: .marketing, time: 3) == .allow)
    }
}
