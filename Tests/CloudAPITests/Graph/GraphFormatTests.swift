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
        #expect(error("{nope") == .invalidParameter("the request body is not valid JSON (expected a member name, found 'n' at byte 1)"))
        #expect(error(#"{"a":1,}"#) == .invalidParameter("the request body is not valid JSON (expected a member name, found '}' at byte 7)"))
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
        // Written without Foundation: the same bytes JSONSerialization gives (sorted keys, slashes
        // unescaped), for details with quotes, control characters and non-ASCII text.
        for error in [GraphError.invalidParameter("to: \"+1/555\"\n\u{1}é 🙂"), .unknownObject("123", method: "GET"), .throughput("x")] {
            var inner: [String: Any] = ["message": error.message, "type": error.type, "code": error.code, "fbtrace_id": "A/b"]
            if let subcode = error.subcode { inner["error_subcode"] = subcode }
            if let details = error.details { inner["error_data"] = ["messaging_product": "whatsapp", "details": details] }
            let expected = try JSONSerialization.data(withJSONObject: ["error": inner], options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(error.jsonBody(traceID: "A/b") == Array(expected), "\(String(decoding: error.jsonBody(traceID: "A/b"), as: UTF8.self))")
        }
    }

    @Test("an outbound record's payload is JSONSerialization's bytes, written directly")
    func outboundPayload() throws {
        for body in [#"{"messaging_product":"whatsapp","to":"447700900123","text":{"body":"a \"quote\" / é 🙂\n"},"biz_opaque_callback_data":"t/1"}"#,
                     #"{"messaging_product":"whatsapp","to":"447700900123","type":"template","template":{"name":"x","language":{"code":"en"}}}"#] {
            let request = try SendMessageRequest(body: Array(body.utf8))
            var object: [String: Any] = ["type": request.type, "text": request.plaintext]
            if let tracker = request.tracker { object["tracker"] = tracker }
            let expected = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(CloudAPIEndpoint.outboundPayload(request) == Array(expected))
        }
    }

    @Test("a `sent` status with a tracker, a named contact's message, and the writer's scalars are JSONSerialization's bytes")
    func writerBodiesMatchJSONSerialization() throws {
        let user = PhoneNumber("+447700900123")!
        let envelope = WebhookEnvelope(accountID: "1", phoneNumberID: "2", display: PhoneNumber("+14155550100")!)
        func wrapped(_ value: [String: Any]) throws -> [UInt8] {
            var value = value
            value["messaging_product"] = "whatsapp"
            value["metadata"] = ["display_phone_number": "14155550100", "phone_number_id": "2"]
            let object: [String: Any] = ["object": "whatsapp_business_account",
                                         "entry": [["id": "1", "changes": [["field": "messages", "value": value]]]]]
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        }
        let sent = envelope.status(id: "wamid.S", status: "sent", recipient: user, userID: "US.1", time: 1_700_000_000_123, category: "service",
                                   conversationID: "wamid.S", tracker: "cb/1 \"x\"", error: nil)
        #expect(sent == (try wrapped([
            "contacts": [["profile": ["name": "+447700900123"], "wa_id": "447700900123", "user_id": "US.1"]],
            "statuses": [["id": "wamid.S", "status": "sent", "timestamp": "1700000000", "recipient_id": "447700900123",
                          "recipient_user_id": "US.1", "biz_opaque_callback_data": "cb/1 \"x\"",
                          "conversation": ["id": "wamid.S", "origin": ["type": "service"]],
                          "pricing": ["billable": false, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"] as [String: Any],
                         ] as [String: Any]],
        ])), "\(String(decoding: sent, as: UTF8.self))")
        let message = envelope.message(id: "wamid.M", from: user, userID: "US.1", name: "Zoë \\ 👍", time: 999, text: "hi")
        #expect(message == (try wrapped([
            "contacts": [["profile": ["name": "Zoë \\ 👍"], "wa_id": "447700900123", "user_id": "US.1"]],
            "messages": [["from": "447700900123", "from_user_id": "US.1", "id": "wamid.M", "timestamp": "0",
                          "type": "text", "text": ["body": "hi"]] as [String: Any]],
        ])))
        var json = GraphJSONWriter()
        json.beginObject()
        json.key("a"); json.beginArray(); json.int(Int.min); json.int(0); json.int(Int.max); json.bool(true); json.bool(false); json.endArray()
        json.key("b"); json.beginArray(); json.endArray()
        json.key("c"); json.beginObject(); json.endObject()
        json.key("d"); json.decimalString(-42)
        json.key("e"); json.beginArray(); json.beginArray(); json.string("x"); json.endArray(); json.beginObject(); json.endObject(); json.endArray()
        json.endObject()
        let object: [String: Any] = ["a": [Int.min, 0, Int.max, true, false] as [Any], "b": [Any](), "c": [String: Any](), "d": "-42",
                                     "e": [["x"], [String: Any]()] as [Any]]
        #expect(json.bytes == Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])),
                "\(String(decoding: json.bytes, as: UTF8.self))")
    }

    @Test("a record's tracker is read only from a payload that has one; the category is the kind's last part")
    func trackerAndCategory() throws {
        func record(_ payload: [String: String], kind: String = "text:service") throws -> MessageRecord {
            MessageRecord(id: "wamid.1", businessPhoneNumberID: "2", business: "+14155550100", consumer: "+447700900123",
                          direction: .outbound, time: 0, kind: kind,
                          payload: Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])))
        }
        #expect(CloudAPIEndpoint.tracker(of: try record(["text": "hi", "type": "text", "tracker": "t:1"])) == "t:1")
        #expect(CloudAPIEndpoint.tracker(of: try record(["text": #"say "tracker": x"#, "type": "text"])) == nil)
        #expect(CloudAPIEndpoint.tracker(of: try record(["text": "hi", "type": "text"])) == nil)
        #expect(CloudAPIEndpoint.tracker(of: try record(["text": "hi", "tracker": "t"], kind: "status")) == nil)
        let cases = ["text:service": "service", "template:marketing": "marketing", "a:b:utility": "utility",
                     "status": "status", "text:": "text", "": "service", "é:ü": "ü",
                     "a:b:\u{301}": "b:\u{301}", "a\u{600}:b": "a\u{600}:b"]
        for (kind, category) in cases {
            #expect(CloudAPIEndpoint.category(ofKind: kind) == category, "\(kind)")
        }
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
        #expect(statuses?.first?["pricing"] == nil && statuses?.first?["conversation"] == nil)
    }

    /// The `value.statuses[0]` of a status webhook body.
    func status(_ body: [UInt8]) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let change = try #require(((object["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first)
        return try #require(((change["value"] as? [String: Any])?["statuses"] as? [[String: Any]])?.first)
    }

    @Test("status pricing: free-form service messages are free, templates are billable (PMP)")
    func statusPricing() throws {
        let envelope = WebhookEnvelope(accountID: "1", phoneNumberID: "2", display: PhoneNumber("+14155550100")!)
        let user = PhoneNumber("+447700900123")!
        let service = try status(envelope.status(id: "wamid.A", status: "sent", recipient: user, userID: "US.1", time: 9_000,
                                                 category: "service", conversationID: "c", tracker: nil, error: nil))
        let pricing = try #require(service["pricing"] as? [String: Any])
        #expect(pricing["billable"] as? Bool == false)
        #expect(pricing["type"] as? String == "free_customer_service")
        #expect(pricing["category"] as? String == "service" && pricing["pricing_model"] as? String == "PMP")
        #expect((service["conversation"] as? [String: Any])?["origin"] as? [String: String] == ["type": "service"])
        #expect(service["timestamp"] as? String == "9" && service["recipient_id"] as? String == "447700900123")

        let marketing = try status(envelope.status(id: "wamid.B", status: "read", recipient: user, userID: "US.1", time: 9_000,
                                                   category: "marketing", conversationID: "c", tracker: nil, error: nil))
        let billed = try #require(marketing["pricing"] as? [String: Any])
        #expect(billed["billable"] as? Bool == true)
        #expect(billed["type"] as? String == "regular" && billed["category"] as? String == "marketing")
    }

    @Test("GET phone number: display number in international format, quality, status and limit")
    func phoneNumberBody() throws {
        let body = GraphResponses.phoneNumber(id: "106540352242922", display: PhoneNumber("+14155550100")!, name: "Ann's Shop",
                                              quality: "GREEN", status: "CONNECTED", limit: "TIER_250")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["id"] as? String == "106540352242922")
        #expect(object["display_phone_number"] as? String == "+14155550100")
        #expect(object["verified_name"] as? String == "Ann's Shop")
        #expect(object["quality_rating"] as? String == "GREEN" && object["status"] as? String == "CONNECTED")
        #expect(object["whatsapp_business_manager_messaging_limit"] as? String == "TIER_250")
    }

    @Test("bodies are byte for byte what JSONSerialization (sorted keys) writes, escapes included")
    func sameBytesAsJSONSerialization() {
        // Every C0 control, DEL, quotes, backslashes, slashes, non-ASCII and an emoji.
        let tricky = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F} \"quoted\" back\\slash a/b é 中 👍"
        for text in ["", "plain", tricky] {
            #expect(GraphJSON.object([("s", .string(text))]).bytes == JSON.encode(["s": text]), "\(Array(text.utf8))")
        }
        let user = PhoneNumber("+447700900123")!
        let envelope = WebhookEnvelope(accountID: "102290129340398", phoneNumberID: "106540352242922", display: PhoneNumber("+14155550100")!)
        let contact: [String: Any] = ["profile": ["name": "+447700900123"], "wa_id": "447700900123", "user_id": "US.77"]
        func wrapped(_ value: [String: Any]) -> [UInt8] {
            var value = value
            value["messaging_product"] = "whatsapp"
            value["metadata"] = ["display_phone_number": "14155550100", "phone_number_id": "106540352242922"]
            return JSON.encode(["object": "whatsapp_business_account",
                                "entry": [["id": "102290129340398", "changes": [["field": "messages", "value": value]]]]] as [String: Any])
        }
        #expect(envelope.message(id: "wamid.M", from: user, userID: "US.77", name: nil, time: 1_700_000_000_999, text: tricky) == wrapped([
            "contacts": [contact],
            "messages": [["from": "447700900123", "from_user_id": "US.77", "id": "wamid.M", "timestamp": "1700000000",
                          "type": "text", "text": ["body": tricky]] as [String: Any]],
        ]))
        let error = GraphError.undeliverable("gone / away")
        #expect(envelope.status(id: "wamid.S", status: "failed", recipient: user, userID: "US.77", time: 42_000, category: "utility",
                                conversationID: "c", tracker: "t\"r", error: error) == wrapped([
            "contacts": [contact],
            "statuses": [["id": "wamid.S", "status": "failed", "timestamp": "42", "recipient_id": "447700900123",
                          "recipient_user_id": "US.77", "biz_opaque_callback_data": "t\"r",
                          "errors": [["code": 131026, "title": error.message, "message": error.message,
                                      "error_data": ["details": "gone / away"]] as [String: Any]]] as [String: Any]],
        ]))
        #expect(envelope.status(id: "wamid.R", status: "read", recipient: user, userID: "US.77", time: 42_000, category: "marketing",
                                conversationID: "c", tracker: nil, error: nil) == wrapped([
            "contacts": [contact],
            "statuses": [["id": "wamid.R", "status": "read", "timestamp": "42", "recipient_id": "447700900123",
                          "recipient_user_id": "US.77", "conversation": ["id": "c", "origin": ["type": "marketing"]],
                          "pricing": ["billable": true, "pricing_model": "PMP", "category": "marketing", "type": "regular"] as [String: Any],
                         ] as [String: Any]],
        ]))
        #expect(GraphResponses.sent(input: "+44 7700", recipient: user, messageID: "wamid.Z") == JSON.encode([
            "messaging_product": "whatsapp", "contacts": [["input": "+44 7700", "wa_id": "447700900123"]],
            "messages": [["id": "wamid.Z", "message_status": "accepted"]],
        ] as [String: Any]))
        #expect(GraphResponses.phoneNumber(id: "1", display: user, name: "N \"x\"", quality: "GREEN", status: "CONNECTED", limit: "TIER_2K")
            == JSON.encode([
                "id": "1", "display_phone_number": "+447700900123", "verified_name": "N \"x\"", "quality_rating": "GREEN",
                "status": "CONNECTED", "whatsapp_business_manager_messaging_limit": "TIER_2K", "messaging_limit_tier": "TIER_2K",
                "platform_type": "CLOUD_API", "code_verification_status": "VERIFIED",
            ] as [String: Any]))
        let quality = try? JSONSerialization.jsonObject(with: Data(envelope.qualityUpdate(event: "UPGRADE", currentLimit: "TIER_2K"))) as? [String: Any]
        let change = ((quality?["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first
        #expect(change?["field"] as? String == "phone_number_quality_update")
        #expect((change?["value"] as? [String: String])?["current_limit"] == "TIER_2K")
    }

    @Test("a send's 200 body: contacts echo the input, messages carry the wamid")
    func sentBody() throws {
        let body = GraphResponses.sent(input: "+44 7700 900123", recipient: PhoneNumber("+447700900123")!, messageID: "wamid.Z")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["messaging_product"] as? String == "whatsapp")
        #expect(object["contacts"] as? [[String: String]] == [["input": "+44 7700 900123", "wa_id": "447700900123"]])
        #expect(object["messages"] as? [[String: String]] == [["id": "wamid.Z", "message_status": "accepted"]])
    }
}

@Suite struct WebhookSignatureTests {
    /// `X-Hub-Signature-256` is `sha256=` and the lowercase hex HMAC-SHA-256 of the raw body under
    /// the app secret: RFC 4231's test case 2, an empty body and key, and a leading zero byte kept
    /// as `00` (values from Python's `hmac`).
    @Test func theHeaderIsTheHexHMACOfTheBody() throws {
        #expect(try WebhookSignature.header(for: Array("what do ya want for nothing?".utf8), appSecret: "Jefe")
                == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let header = try WebhookSignature.header(for: [], appSecret: "")
        #expect(header == "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(header.utf8.count == 7 + 64)
        #expect(try WebhookSignature.header(for: Array("10".utf8), appSecret: "k")
                == "sha256=00a6c224518e390c4667c2ca9664d7b96b92db970064e963475af88e03f3c513", "a leading zero byte")
        // Under a key made once (the endpoint keeps one per business), the same header each time.
        let key = WebhookSignature.key(appSecret: "Jefe")
        for _ in 0..<2 {
            #expect(try WebhookSignature.header(for: Array("what do ya want for nothing?".utf8), key: key)
                    == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        }
    }
}
