import Foundation
public import Transport

/// Response and webhook bodies in Meta's formats.
public enum GraphResponses {
    /// `wa_id`: the number's digits without `+`.
    public static func waID(_ number: PhoneNumber) -> String { String(number.digits) }

    /// The 200 body of a send: `{"messaging_product","contacts":[{"input","wa_id"}],"messages":[{"id","message_status"}]}`.
    public static func sent(input: String, recipient: PhoneNumber, messageID: String) -> [UInt8] {
        JSON.encode([
            "messaging_product": "whatsapp",
            "contacts": [["input": input, "wa_id": waID(recipient)]],
            "messages": [["id": messageID, "message_status": "accepted"]],
        ] as [String: Any])
    }

    /// `GET /v{N}/{phone-number-id}`.
    public static func phoneNumber(id: String, display: PhoneNumber, name: String, quality: String, status: String, limit: String) -> [UInt8] {
        JSON.encode([
            "id": id, "display_phone_number": waID(display), "verified_name": name,
            "quality_rating": quality, "status": status,
            "whatsapp_business_manager_messaging_limit": limit, "messaging_limit_tier": limit,
            "platform_type": "CLOUD_API", "code_verification_status": "VERIFIED",
        ] as [String: Any])
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

    private func wrap(_ value: [String: Any], field: String = "messages") -> [UInt8] {
        var value = value
        value["messaging_product"] = "whatsapp"
        value["metadata"] = ["display_phone_number": GraphResponses.waID(display), "phone_number_id": phoneNumberID]
        return JSON.encode([
            "object": "whatsapp_business_account",
            "entry": [["id": accountID, "changes": [["field": field, "value": value]]]],
        ] as [String: Any])
    }

    private func contact(_ user: PhoneNumber, userID: String, name: String?) -> [String: Any] {
        ["profile": ["name": name ?? "+\(user.digits)"], "wa_id": GraphResponses.waID(user), "user_id": userID]
    }

    /// An incoming text message.
    public func message(id: String, from user: PhoneNumber, userID: String, name: String?, time: Int64, text: String) -> [UInt8] {
        wrap([
            "contacts": [contact(user, userID: userID, name: name)],
            "messages": [[
                "from": GraphResponses.waID(user), "from_user_id": userID, "id": id, "timestamp": String(time / 1000),
                "type": "text", "text": ["body": text],
            ] as [String: Any]],
        ])
    }

    /// A status update (`sent`, `delivered`, `read`, `failed` with an error).
    public func status(
        id: String, status: String, recipient: PhoneNumber, userID: String, time: Int64, category: String,
        conversationID: String, tracker: String?, error: GraphError?
    ) -> [UInt8] {
        var entry: [String: Any] = [
            "id": id, "status": status, "timestamp": String(time / 1000),
            "recipient_id": GraphResponses.waID(recipient), "recipient_user_id": userID,
        ]
        if status != "failed" {
            entry["conversation"] = ["id": conversationID, "origin": ["type": category]]
            entry["pricing"] = ["billable": true, "pricing_model": "PMP", "category": category, "type": "regular"]
        }
        if let tracker { entry["biz_opaque_callback_data"] = tracker }
        if let error {
            entry["errors"] = [[
                "code": error.code, "title": error.message, "message": error.message,
                "error_data": ["details": error.details ?? error.message],
            ] as [String: Any]]
        }
        return wrap(["contacts": [contact(recipient, userID: userID, name: nil)], "statuses": [entry]])
    }

    /// `phone_number_quality_update`.
    public func qualityUpdate(event: String, currentLimit: String) -> [UInt8] {
        JSON.encode([
            "object": "whatsapp_business_account",
            "entry": [["id": accountID, "time": Int(Date().timeIntervalSince1970), "changes": [[
                "field": "phone_number_quality_update",
                "value": ["display_phone_number": GraphResponses.waID(display), "event": event, "current_limit": currentLimit],
            ] as [String: Any]]] as [String: Any]],
        ] as [String: Any])
    }
}
