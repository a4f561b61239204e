import Transport

/// The businesses' webhook server in the benchmark: Transport's HTTP server on the load
/// generator's loop. It answers the verification GET by echoing `hub.challenge` (when the verify
/// token matches) and every POST with 200 at once, handing the body to the load generator, which
/// finds the benchmark texts and status entries in it. Loop-confined.
final class CloudAPIBenchWebhooks {
    /// The bound address.
    let address: SocketAddress
    private let server: HTTPServer
    private let counter: VerificationCounter

    /// Listens on a free loopback port; `received` gets every POSTed body.
    init(on loop: EventLoop, verifyToken: String, received: @escaping ([UInt8]) -> Void) throws(CLIError) {
        let counter = VerificationCounter()
        self.counter = counter
        do throws(SystemError) {
            server = try HTTPServer(configuration: HTTPServerConfiguration(listenAddress: .loopbackIPv4(port: 0)), on: loop) { request, responder in
                switch request.method {
                case .post:
                    received(request.body)
                    responder.respond(HTTPResponse(status: .ok))
                case .get:
                    let query = try? request.queryParameters()
                    if query?["hub.mode"] == "subscribe", query?["hub.verify_token"] == verifyToken, let challenge = query?["hub.challenge"] {
                        counter.count += 1
                        responder.respond(.text(.ok, challenge))
                    } else {
                        responder.respond(.text(HTTPStatus(code: 403), "Forbidden"))
                    }
                default:
                    responder.respond(.text(HTTPStatus(code: 405), "Method Not Allowed"))
                }
            }
        } catch {
            throw CLIError("bench: cannot start the webhook server: \(error)")
        }
        address = server.address
    }

    /// Verification handshakes answered 200 so far.
    var verificationCount: Int { counter.count }

    /// Stops listening and closes connections (after their responses, within `grace`).
    func shutdown(grace: Duration = .seconds(1), completion: @escaping () -> Void) {
        server.shutdown(gracePeriod: grace, completion: completion)
    }

    /// Connections open now.
    var connectionCount: Int { server.connectionCount }
}

/// A count shared with the server's handler (same loop).
private final class VerificationCounter {
    var count = 0
}
