@testable import CloudAPI
import Storage
import Testing

/// The sealed plaintext layout, the associated data and the party-index input: pure byte layouts.
@Suite struct RecordCodecTests {
    static let record = MessageRecord(
        id: "wamid.HBgLMTQxNTU1NTAxMDAVAgASGBQzQTk", businessPhoneNumberID: "106540352242922",
        business: "+14155550100", consumer: "+447700900123", direction: .outbound, time: 1_709_287_200_123,
        kind: "template", payload: Array(#"{"type":"template","template":{"name":"order_update","language":{"code":"en_GB"}}}"#.utf8))

    @Test func encodesTheDocumentedLayoutAndDecodesIt() throws {
        let bytes = RecordCodec.encode(Self.record)
        #expect(Array(bytes.prefix(10)) == [1, 1, 0x00, 0x00, 0x01, 0x8D, 0xF9, 0x74, 0xD5, 0x7B])
        #expect(Array(bytes[10..<12]) == [0, 15]) // phone-number id length
        #expect(bytes.count == 10 + (2 + 15) + (2 + 12) + (2 + 13) + (2 + 8) + (4 + Self.record.payload.count))
        let decoded = try RecordCodec.decode(bytes)
        #expect(decoded == RecordCodec.Sealed(
            businessPhoneNumberID: "106540352242922", business: "+14155550100", consumer: "+447700900123",
            direction: .outbound, time: 1_709_287_200_123, kind: "template", payload: Self.record.payload))
    }

    @Test func everyTruncationAndTrailingByteIsRefused() throws {
        let bytes = RecordCodec.encode(Self.record)
        for length in 0..<bytes.count {
            #expect(throws: RecordCodec.DecodingFailure.self) { try RecordCodec.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: RecordCodec.DecodingFailure(reason: "trailing bytes")) { try RecordCodec.decode(bytes + [0]) }
        var badVersion = bytes
        badVersion[0] = 2
        #expect(throws: RecordCodec.DecodingFailure(reason: "unknown sealed record format")) { try RecordCodec.decode(badVersion) }
        var badDirection = bytes
        badDirection[1] = 7
        #expect(throws: RecordCodec.DecodingFailure(reason: "bad direction")) { try RecordCodec.decode(badDirection) }
    }

    @Test func associatedDataAndPartyInputAreUnambiguous() {
        #expect(RecordCodec.associatedData(id: "wamid.a", day: "2024-03-01")
            != RecordCodec.associatedData(id: "wamid.a", day: "2024-03-02"))
        #expect(RecordCodec.associatedData(id: "wamid.a", day: "2024-03-01")
            != RecordCodec.associatedData(id: "wamid.a2", day: "024-03-01"))
        #expect(RecordCodec.partyIndexInput(business: "+1415555010", consumer: "0+44770090")
            != RecordCodec.partyIndexInput(business: "+14155550100", consumer: "+44770090"))
        #expect(RecordCodec.partyIndexInput(business: "+14155550100", consumer: "+447700900123")
            == [0, 12] + Array("+14155550100".utf8) + [0, 13] + Array("+447700900123".utf8))
    }

    @Test func retentionKeepsThirtyDaysBack() throws {
        let policy = RetentionPolicy.standard
        #expect(policy.days == 30)
        let day0 = StoreFixture.day0
        #expect(day0.description == "2024-03-01")
        func now(_ offset: Int, _ ms: Int64 = 0) -> Int64 { day0.advanced(by: offset).startSecondsSince1970 * 1000 + ms }
        #expect(policy.retains(day0, now: now(29, 86_399_999)))
        #expect(policy.retains(day0, now: now(30, 86_399_999)))
        #expect(!policy.retains(day0, now: now(31)))
        #expect(policy.oldestRetainedDay(now: now(31)) == day0.advanced(by: 1))
        #expect(RetentionPolicy(days: 0) == nil)
        #expect(RetentionPolicy(days: 31) == nil)
        #expect(RetentionPolicy(days: 7)?.oldestRetainedDay(now: now(7)) == day0)
        // Milliseconds before the epoch fall on the previous day.
        #expect(policy.oldestRetainedDay(now: -1) == UTCDay(daysSince1970: -31))
    }
}
