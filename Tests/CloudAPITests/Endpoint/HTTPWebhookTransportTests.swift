import Dispatch
import Glibc
import Synchronization
import Testing
@testable import CloudAPI
import Transport

/// `HTTPWebhookTransport.post(url:prepare:completion:)`: the request is made on the delivery
/// thread, sent over real HTTP, and answered on the caller's loop.
@Suite("HTTP webhook transport: requests prepared on the delivery thread", .serialized)
struct HTTPWebhookTransportTests {
    /// A value shared between threads under a mutex.
    final class Shared<Value: Sendable>: Sendable {
        private let mutex: Mutex<Value>
        init(_ value: Value) { mutex = Mutex(value) }
        func update(_ body: @Sendable (inout Value) -> Void) { mutex.withLock { body(&$0) } }
        var value: Value { mutex.withLock { $0 } }
    }

    /// A webhook receiver on 127.0.0.1 recording each POST's signature header and body.
    final class Receiver: Sendable {
        let host: HTTPServerHost
        let posts = Shared<[Post]>([])

        /// One POST as received.
        struct Post: Sendable {
            var signature: String?
            var body: [UInt8]
        }

        init() throws {
            let posts = self.posts
            host = try HTTPServerHost.start(HTTPServerConfiguration(listenAddress: .loopbackIPv4())) { _ in
                var router = HTTPRouter()
                router.add(.post, "/hook") { request, responder in
                    let post = Post(signature: request.headers["X-Hub-Signature-256"], body: request.body)
                    posts.update { $0.append(post) }
                    responder.respond(.text(.ok, "ok"))
                }
                return router.handler
            }
        }

        var url: String { "http://\(host.address)/hook" }
    }

    /// Where a callback ran, and what the post completed with.
    struct Outcome: Sendable {
        var preparedOnCallerLoop: Bool?
        var completedOnCallerLoop: Bool?
        var result: Result<WebhookResponse, WebhookFailure>?
    }

    /// Posts on a transport made on a fresh caller loop and waits for the completion.
    static func post(
        url: String, prepare: @escaping @Sendable () throws(WebhookFailure) -> WebhookRequest
    ) throws -> Outcome {
        let caller = try EventLoopThread(name: "test-caller")
        defer { caller.stopAndJoin() }
        let loop = caller.loop
        let outcome = Shared(Outcome())
        let transport = Shared<LoopBound<HTTPWebhookTransport>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let started = loop.executeAndWait {
            guard let made = try? HTTPWebhookTransport(on: loop) else {
                done.signal()
                return
            }
            let bound = LoopBound(made, on: loop)
            transport.update { $0 = bound }
            made.post(url: url, prepare: { () throws(WebhookFailure) in
                let onLoop = loop.inEventLoop
                outcome.update { $0.preparedOnCallerLoop = onLoop }
                return try prepare()
            }) { result in
                let onLoop = loop.inEventLoop
                outcome.update {
                    $0.completedOnCallerLoop = onLoop
                    $0.result = result
                }
                done.signal()
            }
        }
        #expect(started)
        #expect(done.wait(timeout: .now() + .seconds(10)) == .success, "the post completed")
        // Stopped whether or not it answered, so no delivery thread outlives the test.
        _ = loop.executeAndWait { transport.value?.value.shutdown() }
        return outcome.value
    }

    @Test func theBodyIsBuiltAndSignedOffTheCallersLoopAndAnsweredOnIt() throws {
        let receiver = try Receiver()
        defer { receiver.host.stop() }
        let body = Array(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)
        let key = WebhookSignature.key(appSecret: "app-secret")
        let outcome = try Self.post(url: receiver.url) { () throws(WebhookFailure) in
            try CloudAPIEndpoint.signedWebhook(body, key: key)
        }
        #expect(outcome.preparedOnCallerLoop == false, "prepared on the delivery thread")
        #expect(outcome.completedOnCallerLoop == true, "completed on the caller's loop")
        guard case let .success(response)? = outcome.result else {
            Issue.record("expected a response, got \(String(describing: outcome.result))")
            return
        }
        #expect(response.status == 200)
        #expect(response.body == Array("ok".utf8))
        let posts = receiver.posts.value
        #expect(posts.count == 1)
        #expect(posts.first?.body == body)
        #expect(posts.first?.signature == (try WebhookSignature.header(for: body, appSecret: "app-secret")))
    }

    @Test func aPrepareThatThrowsFailsOnTheCallersLoopAndSendsNothing() throws {
        let receiver = try Receiver()
        defer { receiver.host.stop() }
        let outcome = try Self.post(url: receiver.url) { () throws(WebhookFailure) in throw WebhookFailure("no body") }
        #expect(outcome.completedOnCallerLoop == true)
        #expect(outcome.result == .failure(WebhookFailure("no body")))
        #expect(receiver.posts.value.isEmpty)
    }

    @Test func aBadURLFailsNamingIt() throws {
        let outcome = try Self.post(url: "ftp://example/hook") { () throws(WebhookFailure) in
            WebhookRequest(headers: [], body: [1])
        }
        guard case let .failure(failure)? = outcome.result else {
            Issue.record("expected a failure, got \(String(describing: outcome.result))")
            return
        }
        #expect(failure.description.hasPrefix("bad webhook URL ftp://example/hook"))
        #expect(outcome.completedOnCallerLoop == true)
    }

    /// The delivery thread parses each webhook URL once; a bad one is named and not kept, and the
    /// cache starts over past its capacity.
    @Test func webhookURLsAreParsedOnceAndBounded() throws {
        let urls = ParsedURLs(capacity: 2)
        let first = try urls.parsed("http://127.0.0.1:8080/hook?x=1")
        #expect(first.host == "127.0.0.1" && first.port == 8080 && first.target == "/hook?x=1")
        #expect(try urls.parsed("http://127.0.0.1:8080/hook?x=1") == first && urls.count == 1)
        #expect(throws: WebhookFailure.self) { try urls.parsed("ftp://example/hook") }
        #expect(urls.count == 1)
        do {
            _ = try urls.parsed("http://[::1/")
            Issue.record("a bad URL parsed")
        } catch {
            #expect("\(error)".contains("http://[::1/"))
        }
        _ = try urls.parsed("http://b/")
        #expect(urls.count == 2)
        #expect(try urls.parsed("http://c:1/").port == 1 && urls.count == 1)
    }
}
