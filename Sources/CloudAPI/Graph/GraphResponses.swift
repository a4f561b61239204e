import Foundation
public import Transport

/// Response and webhook bodies in Meta's formats.
public enum GraphResponses {
    /// `wa_id`: the number's digits without `+`.
    public static func waID(_ number: PhoneNumber) -> String { String(number.digits) }

    /// The 200 body of a send: `{"messaging_product","contacts":[{"input","wa_id"}],"messages":[{"id","message_status"}]}`.
    public static func sent(input: String, recipient: PhoneNumber, messageID: String) -> [UInt8] {
        var json = GraphJSONWriter(capacity: 160)
        json.beginObject()
        json.key("contacts")
        json.beginArray()
        json.beginObject()
        json.key("input"); json.string(input)
        json.key("wa_id"); json.waID(recipient)
        json.endObject()
        json.endArray()
        json.key("messages")
        json.beginArray()
        json.beginObject()
        json.key("id"); json.string(messageID)
        json.key("message_status"); json.string("accepted" as StaticString)
        json.endObject()
        json.endArray()
        json.key("messaging_product"); json.string("whatsapp" as StaticString)
        json.endObject()
        return json.bytes
    }

    /// `GET /v{N}/{phone-number-id}`. `display_phone_number` is in international format with its
    /// `+` here (Meta: "+1 631-555-5555"), unlike webhook metadata, which carries digits only.
    public static func phoneNumber(id: String, display: PhoneNumber, name: String, quality: String, status: String, limit: String) -> [UInt8] {
        GraphJSON.object([
            ("id", .string(id)), ("display_phone_number", .string("+" + waID(display))), ("verified_name", .string(name)),
            ("quality_rating", .string(quality)), ("status", .string(status)),
            ("whatsapp_business_manager_messaging_limit", .string(limit)), ("messaging_limit_tier", .string(limit)),
            ("platform_type", "CLOUD_API"), ("code_verification_status", "VERIFIED"),
        ]).bytes
    }
}

/// A webhook notification body (`object: whatsapp_business_account`), built for one business.
public struct WebhookEnvelope: Sendable {
    /// The business account (WABA) id.
    public var accountID: String
    /// The phone-number id.
    public var phoneNumberID: String
    /// The business's number.
    public var display: PhoneNumber

    /// Creates the envelope's fixed parts.
    public init(accountID: String, phoneNumberID: String, display: PhoneNumber) {
        self.accountID = accountID
        self.phoneNumberID = phoneNumberID
        self.display = display
    }

    /// The list a webhook's value carries.
    private enum List { case messages, statuses }

    /// `{"entry":[{"changes":[{"field":"messages","value":{…}}],"id":…}],"object":…}`, where the
    /// value holds `contacts` (one, written by `contact`), `messaging_product`, `metadata` and
    /// `list`, whose elements `body` writes.
    private func wrap(_ list: List, contact: (inout GraphJSONWriter) -> Void, body: (inout GraphJSONWriter) -> Void) -> [UInt8] {
        var json = GraphJSONWriter()
        json.beginObject()
        json.key("entry")
        json.beginArray()
        json.beginObject()
        json.key("changes")
        json.beginArray()
        json.beginObject()
        json.key("field"); json.string("messages" as StaticString)
        json.key("value")
        json.beginObject()
        json.key("contacts")
        json.beginArray()
        contact(&json)
        json.endArray()
        if list == .messages {
            json.key("messages")
            json.beginArray()
            body(&json)
            json.endArray()
        }
        json.key("messaging_product"); json.string("whatsapp" as StaticString)
        json.key("metadata")
        json.beginObject()
        json.key("display_phone_number"); json.waID(display)
        json.key("phone_number_id"); json.string(phoneNumberID)
        json.endObject()
        if list == .statuses {
            json.key("statuses")
            json.beginArray()
            body(&json)
            json.endArray()
        }
        json.endObject()
        json.endObject()
        json.endArray()
        json.key("id"); json.string(accountID)
        json.endObject()
        json.endArray()
        json.key("object"); json.string("whatsapp_business_account" as StaticString)
        json.endObject()
        return json.bytes
    }

    /// `{"profile":{"name":…},"user_id":…,"wa_id":…}`; the name defaults to the number.
    private static func contact(_ user: PhoneNumber, userID: String, name: String?, into json: inout GraphJSONWriter) {
        json.beginObject()
        json.key("profile")
        json.beginObject()
        json.key("name")
        if let name { json.string(name) } else { json.string("+" + GraphResponses.waID(user)) }
        json.endObject()
        json.key("user_id"); json.string(userID)
        json.key("wa_id"); json.waID(user)
        json.endObject()
    }

    /// An incoming text message.
    public func message(id: String, from user: PhoneNumber, userID: String, name: String?, time: Int64, text: String) -> [UInt8] {
        wrap(.messages, contact: { Self.contact(user, userID: userID, name: name, into: &$0) }) { json in
            json.beginObject()
            json.key("from"); json.waID(user)
            json.key("from_user_id"); json.string(userID)
            json.key("id"); json.string(id)
            json.key("text")
            json.beginObject()
            json.key("body"); json.string(text)
            json.endObject()
            json.key("timestamp"); json.decimalString(time / 1000)
            json.key("type"); json.string("text" as StaticString)
            json.endObject()
        }
    }

    /// A status update (`sent`, `delivered`, `read`, `failed` with an error).
    public func status(
        id: String, status: String, recipient: PhoneNumber, userID: String, time: Int64, category: String,
        conversationID: String, tracker: String?, error: GraphError?
    ) -> [UInt8] {
        wrap(.statuses, contact: { Self.contact(recipient, userID: userID, name: nil, into: &$0) }) { json in
            let priced = status != "failed"
            json.beginObject()
            if let tracker { json.key("biz_opaque_callback_data"); json.string(tracker) }
            if priced {
                json.key("conversation")
                json.beginObject()
                json.key("id"); json.string(conversationID)
                json.key("origin")
                json.beginObject()
                json.key("type"); json.string(category)
                json.endObject()
                json.endObject()
            }
            if let error {
                json.key("errors")
                json.beginArray()
                json.beginObject()
                json.key("code"); json.int(error.code)
                json.key("error_data")
                json.beginObject()
                json.key("details"); json.string(error.details ?? error.message)
                json.endObject()
                json.key("message"); json.string(error.message)
                json.key("title"); json.string(error.message)
                json.endObject()
                json.endArray()
            }
            json.key("id"); json.string(id)
            if priced {
                json.key("pricing")
                Self.pricing(category: category, into: &json)
            }
            json.key("recipient_id"); json.waID(recipient)
            json.key("recipient_user_id"); json.string(userID)
            json.key("status"); json.string(status)
            json.key("timestamp"); json.decimalString(time / 1000)
            json.endObject()
        }
    }

    /// A status's `pricing` under per-message pricing (PMP): free-form messages can only be sent
    /// inside the customer-service window, where Meta bills nothing — `billable: false`,
    /// `type: free_customer_service`; templates are `regular` and billable.
    static func pricing(category: String, into json: inout GraphJSONWriter) {
        let free = category == "service"
        json.beginObject()
        json.key("billable"); json.bool(!free)
        json.key("category"); json.string(category)
        json.key("pricing_model"); json.string("PMP" as StaticString)
        json.key("type"); json.string(free ? "free_customer_service" : "regular" as StaticString)
        json.endObject()
    }

    /// `phone_number_quality_update`: `event` (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE,
    /// THROUGHPUT_UPGRADE), the tier now and, on a tier change, before. `time` in seconds.
    public func qualityUpdate(event: String, currentLimit: String, oldLimit: String? = nil, time: Int64? = nil) -> [UInt8] {
        var value: [(String, GraphJSON)] = [
            ("display_phone_number", .string(GraphResponses.waID(display))), ("event", .string(event)), ("current_limit", .string(currentLimit)),
        ]
        if let oldLimit { value.append(("old_limit", .string(oldLimit))) }
        return accountChange(field: "phone_number_quality_update", value: value, time: time)
    }

    /// `account_update`: ACCOUNT_RESTRICTION (business-initiated messaging restricted until
    /// `expiration`, seconds) or ACCOUNT_VIOLATION. `time` in seconds.
    public func accountUpdate(event: String, expiration: Int64?, time: Int64? = nil) -> [UInt8] {
        var value: [(String, GraphJSON)] = [("phone_number", .string(GraphResponses.waID(display))), ("event", .string(event))]
        if event == "ACCOUNT_RESTRICTION", let expiration {
            value.append(("restriction_info", .array([.object([
                ("restriction_type", "RESTRICTED_BIZ_INITIATED_MESSAGING"), ("expiration", .int(Int(expiration))),
            ])])))
        }
        return accountChange(field: "account_update", value: value, time: time)
    }

    /// An account-level change (no `messaging_product`/`metadata`: Meta sends these per account).
    private func accountChange(field: String, value: [(String, GraphJSON)], time: Int64?) -> [UInt8] {
        GraphJSON.object([
            ("object", "whatsapp_business_account"),
            ("entry", .array([.object([
                ("id", .string(accountID)), ("time", .int(Int(time ?? Int64(Date().timeIntervalSince1970)))),
                ("changes", .array([.object([("field", .string(field)), ("value", .object(value))])])),
            ])])),
        ]).bytes
    }
}

/// A JSON value for the bodies above, written directly to bytes. Webhook bodies are built for
/// every message and status, and `JSONSerialization` spent most of the endpoint's CPU bridging
/// them to `NSDictionary` and sorting keys with locale-aware comparisons; this writer produces the
/// same bytes as ``JSON/encode(_:)`` (keys sorted — byte order, which is `JSONSerialization`'s
/// `.sortedKeys` order for these lowercase ASCII keys —, slashes unescaped, the same string
/// escapes), so bodies and their signatures do not change. `GraphFormatTests` compares the two.
enum GraphJSON: ExpressibleByStringLiteral {
    case string(String)
    case int(Int)
    /// Members in any order; written sorted by key.
    case object([(String, GraphJSON)])
    case array([GraphJSON])

    init(stringLiteral value: String) { self = .string(value) }

    /// The UTF-8 text.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case let .string(text):
            Self.writeString(text, into: &out)
        case let .int(value):
            out.append(contentsOf: String(value).utf8)
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            // Most objects are built in key order already: then no sorted copy is made.
            let inOrder = zip(members, members.dropFirst()).allSatisfy { !$1.0.utf8.lexicographicallyPrecedes($0.0.utf8) }
            let sorted = inOrder ? members : members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.0, into: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// A string literal: `"` and `\` escaped, the C0 controls as `\b \f \n \r \t` or `\u00xx`,
    /// everything else (`/` and non-ASCII included) as UTF-8.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: then they are copied in one append.
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        if plain == true {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
