import Foundation
import Testing
@testable import CloudAPI
import Transport

@Suite("Graph API formats")
struct GraphFormatTests {
    func parse(_ json: String) -> Result<SendMessageRequest, GraphError> {
        do throws(GraphError) {
            return .success(try SendMessageRequest(body: Array(json.utf8)))
        } catch {
            return .failure(error)
        }
    }

    func error(_ json: String) -> GraphError? {
        if case let .failure(error) = parse(json) { return error }
        return nil
    }

    @Test("a text message as Meta documents it")
    func text() throws {
        let request = try parse(#"{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"preview_url":false,"body":"hello"}}"#).get()
        #expect(request.recipient == PhoneNumber("+16505551234"))
        #expect(request.input == "16505551234")
        #expect(request.content == .text(body: "hello", previewURL: false))
        #expect(request.category == .service)
        #expect(request.plaintext == "hello")
    }

    @Test("a template with body parameters and an explicit category")
    func template() throws {
        let request = try parse("""
            {"messaging_product":"whatsapp","to":"+44 7700 900123","type":"template","template":{"name":"order_update","category":"utility",
             "language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"#42"},{"type":"text","text":"tomorrow"}]}]}}
            """).get()
        #expect(request.recipient == PhoneNumber("+447700900123"))
        #expect(request.content == .template(name: "order_update", language: "en_US", parameters: ["#42", "tomorrow"], category: .utility))
        #expect(request.plaintext == "[order_update · en_US] #42 · tomorrow")
        #expect(request.category == .utility)
    }

    @Test("bad requests get precise Graph errors")
    func refusals() {
        #expect(error("") == .invalidParameter("the request body is empty; expected a JSON object"))
        #expect(error("{nope") == .invalidParameter("the request body is not valid JSON"))
        #expect(error("[1]") == .invalidParameter("the request body must be a JSON object"))
        #expect(error(#"{"to":"1","type":"text","text":{"body":"x"}}"#) == .invalidParameter("missing required parameter messaging_product"))
        #expect(error(#"{"messaging_product":"whatsapp","to":16505551234,"text":{"body":"x"}}"#) == .invalidParameter("parameter to must be a string"))
        #expect(error(#"{"messaging_product":"whatsapp","to":"123","text":{"body":"x"}}"#)?.code == 131009)
        #expect(error(#"{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{"id":"1"}}"#)?.code == 131051)
        #expect(error(#"{"messaging_product":"whatsapp","to":"16505551234","text":{"body":""}}"#) == .invalidParameter("text.body must not be empty"))
        #expect(error(#"{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"x","preview_url":1}}"#) == .invalidParameter("parameter text.preview_url must be a boolean"))
        #expect(error(#"{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"a","language":{}}}"#) == .invalidParameter("missing required parameter template.language.code"))
        let long = String(repeating: "a", count: 4097)
        #expect(error(#"{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"\#(long)"}}"#)?.code == 100)
    }

    @Test("errors serialize in Graph's shape, with Meta's statuses")
    func errorBodies() throws {
        let body = GraphError.spamRateLimit("too many").jsonBody(traceID: "Atrace")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? Int == 131048)
        #expect(error["type"] as? String == "OAuthException")
        #expect(error["fbtrace_id"] as? String == "Atrace")
        #expect((error["error_data"] as? [String: Any])?["details"] as? String == "too many")
        #expect(GraphError.spamRateLimit("").httpStatus == 429)
        #expect(GraphError.invalidToken("").httpStatus == 401 && GraphError.invalidToken("").code == 190)
        #expect(GraphError.policyBlock("").httpStatus == 403 && GraphError.policyBlock("").code == 368)
        #expect(GraphError.admissionDenied(relayText: "131056 pair rate limit") == .pairRateLimit("pair rate limit"))
        #expect(GraphError.admissionDenied(relayText: "130429 80 msg/s") == .throughput("80 msg/s"))
        #expect(GraphError.admissionDenied(relayText: "tier exhausted").code == 368)
    }

    @Test("webhook bodies carry metadata, contacts with wa_id and user_id, and the message")
    func webhooks() throws {
        let envelope = WebhookEnvelope(accountID: "102290129340398", phoneNumberID: "106540352242922", display: PhoneNumber("+14155550100")!)
        let body = envelope.message(id: "wamid.X", from: PhoneNumber("+447700900123")!, userID: "US.1234", name: "Ann", time: 1_700_000_000_123, text: "hi")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["object"] as? String == "whatsapp_business_account")
        let entry = try #require((object["entry"] as? [[String: Any]])?.first)
        let change = try #require((entry["changes"] as? [[String: Any]])?.first)
        #expect(change["field"] as? String == "messages")
        let value = try #require(change["value"] as? [String: Any])
        #expect((value["metadata"] as? [String: String]) == ["display_phone_number": "14155550100", "phone_number_id": "106540352242922"])
        let contact = try #require((value["contacts"] as? [[String: Any]])?.first)
        #expect(contact["wa_id"] as? String == "447700900123" && contact["user_id"] as? String == "US.1234")
        let message = try #require((value["messages"] as? [[String: Any]])?.first)
        #expect(message["timestamp"] as? String == "1700000000")
        #expect((message["text"] as? [String: String])?["body"] == "hi")

        let failed = envelope.status(id: "wamid.Y", status: "failed", recipient: PhoneNumber("+447700900123")!, userID: "US.1", time: 5000,
                                     category: "marketing", conversationID: "c", tracker: "t", error: .undeliverable("gone"))
        let failedValue = try #require(((try JSONSerialization.jsonObject(with: Data(failed)) as? [String: Any])?["entry"] as? [[String: Any]])?.first)
        let statuses = (((failedValue["changes"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["statuses"] as? [[String: Any]])
        #expect(statuses?.first?["status"] as? String == "failed")
        #expect((statuses?.first?["errors"] as? [[String: Any]])?.first?["code"] as? Int == 131026)
        #expect(statuses?.first?["biz_opaque_callback_data"] as? String == "t")
    }
}
