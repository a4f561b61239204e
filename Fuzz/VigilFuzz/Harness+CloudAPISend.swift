import CloudAPI
import Foundation
import Transport

extension Harness {
    /// The Cloud API's `POST /v{N}/{id}/messages` body validation.
    static let cloudAPISend = Harness(
        name: "cloudapi-send",
        summary: """
            SendMessageRequest(body:) on the input as a request body: a refusal is a GraphError with a 4xx \
            status; an accepted request honours its documented limits (E.164 recipient, text 1…4096 characters, \
            template name 1…512, category not service) and, rebuilt as canonical JSON, validates to the same request.
            """,
        maximumLength: 16 * 1024,
        run: { CloudAPISendHarness.run($0) },
        seeds: { CloudAPISendHarness.seeds() }
    )
}

enum CloudAPISendHarness {
    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let request: SendMessageRequest
        do {
            request = try SendMessageRequest(body: Array(input))
        } catch {
            FuzzCheck.require((400..<500).contains(error.httpStatus), "a refused body answered \(error.httpStatus)")
            return false
        }
        FuzzCheck.require(PhoneNumber(request.recipient.e164) == request.recipient, "recipient \(request.recipient) is not E.164")
        switch request.content {
        case let .text(body, _):
            FuzzCheck.require((1...SendMessageRequest.maximumTextLength).contains(body.count), "text of \(body.count) characters accepted")
            FuzzCheck.require(request.category == .service, "a text in category \(request.category)")
        case let .template(name, _, _, category):
            FuzzCheck.require((1...512).contains(name.count), "template name of \(name.count) characters accepted")
            FuzzCheck.require(category != .service, "a service template accepted")
        }
        let rebuilt = canonicalBody(of: request)
        do {
            let again = try SendMessageRequest(body: rebuilt)
            FuzzCheck.require(again == request, "canonical JSON validates to another request: \(again) vs \(request)")
        } catch {
            FuzzCheck.fail("the canonical JSON of an accepted request is refused: \(error)")
        }
        return true
    }

    /// The request as the JSON a well-behaved client would send.
    private static func canonicalBody(of request: SendMessageRequest) -> [UInt8] {
        var object: [String: Any] = ["messaging_product": "whatsapp", "recipient_type": "individual", "to": request.input]
        if let replyTo = request.replyTo { object["context"] = ["message_id": replyTo] }
        if let tracker = request.tracker { object["biz_opaque_callback_data"] = tracker }
        switch request.content {
        case let .text(body, previewURL):
            object["type"] = "text"
            object["text"] = ["body": body, "preview_url": previewURL]
        case let .template(name, language, parameters, category):
            object["type"] = "template"
            object["template"] = [
                "name": name, "language": ["code": language], "category": category.description,
                "components": [["type": "body", "parameters": parameters.map { ["type": "text", "text": $0] }]],
            ] as [String: Any]
        }
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        } catch {
            FuzzCheck.fail("an accepted request's fields do not serialize as JSON: \(error)")
        }
    }

    static func seeds() -> [[UInt8]] {
        [
            #"{"messaging_product":"whatsapp","to":"+14155550100","type":"text","text":{"body":"hello","preview_url":true}}"#,
            #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"1 (415) 555-0100","text":{"body":"x"},"context":{"message_id":"wamid.abc"},"biz_opaque_callback_data":"t1"}"#,
            #"{"messaging_product":"whatsapp","to":"442071234567","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"category":"utility","components":[{"type":"body","parameters":[{"type":"text","text":"A-17"},{"type":"currency"}]}]}}"#,
            #"{"messaging_product":"whatsapp","to":"+4915112345678","type":"template","template":{"name":"promo","language":{"code":"de"}}}"#,
            #"{"messaging_product":"whatsapp","to":"+14155550100","type":"image","image":{"link":"https://example.com/a.png"}}"#,
            #"{"messaging_product":"whatsapp","to":null,"type":"text","text":{"body":"\u00e9\ud83d\ude00"}}"#,
        ].map { Array($0.utf8) }
    }
}
