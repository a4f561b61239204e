import Foundation
public import Transport
import Synchronization

/// The Cloud API endpoint with its HTTP server and webhook client on their own event-loop thread:
/// the one-call way to run it (`vigil cloudapi`, tests, the demo).
public final class CloudAPIHost: Sendable {
    /// The HTTP server's bound address.
    public let address: SocketAddress
    private let thread: EventLoopThread
    private let parts: LoopBound<Parts>
    private let stopped = Mutex(false)

    /// The loop-confined objects.
    private final class Parts {
        let endpoint: CloudAPIEndpoint
        let server: HTTPServer
        let webhooks: HTTPWebhookTransport

        init(endpoint: CloudAPIEndpoint, server: HTTPServer, webhooks: HTTPWebhookTransport) {
            self.endpoint = endpoint
            self.server = server
            self.webhooks = webhooks
        }
    }

    private init(address: SocketAddress, thread: EventLoopThread, parts: LoopBound<Parts>) {
        self.address = address
        self.thread = thread
        self.parts = parts
    }

    /// Starts the endpoint for every business in `configuration.dataDirectory`, listening for the
    /// Graph API on `listen`.
    public static func start(
        _ configuration: EndpointConfiguration, listen: SocketAddress, masterKey: MasterKey,
        http: HTTPServerConfiguration? = nil
    ) throws -> CloudAPIHost {
        let thread = try EventLoopThread(name: "vigil-cloudapi")
        let outcome = thread.loop.executeAndWaitReturning { () -> Result<(LoopBound<Parts>, SocketAddress), SendableError> in
            let loop = thread.loop
            let webhooks: HTTPWebhookTransport
            do throws(SystemError) {
                webhooks = try HTTPWebhookTransport(on: loop, connectionsPerHost: configuration.webhookConcurrency)
            } catch {
                return .failure(SendableError(description: "\(error)"))
            }
            do {
                let endpoint = try CloudAPIEndpoint(configuration: configuration, masterKey: masterKey, webhooks: webhooks, on: loop)
                var serverConfiguration = http ?? HTTPServerConfiguration(listenAddress: listen)
                serverConfiguration.listenAddress = listen
                let server: HTTPServer
                do {
                    server = try HTTPServer(configuration: serverConfiguration, on: loop, handler: CloudAPIRoutes.handler(for: endpoint))
                } catch {
                    endpoint.stop()
                    throw error
                }
                return .success((LoopBound(Parts(endpoint: endpoint, server: server, webhooks: webhooks), on: loop), server.address))
            } catch {
                webhooks.shutdown()
                return .failure(SendableError(description: "\(error)"))
            }
        }
        switch outcome {
        case let .success((parts, address))?:
            return CloudAPIHost(address: address, thread: thread, parts: parts)
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw SendableError(description: "the endpoint's loop did not start")
        }
    }

    /// Runs `body` with the endpoint on its loop and returns the result.
    public func withEndpoint<Result: Sendable>(_ body: @escaping @Sendable (CloudAPIEndpoint) -> Result) -> Result? {
        let parts = self.parts
        return thread.loop.executeAndWaitReturning { body(parts.value.endpoint) }
    }

    /// Stops cleanly: the HTTP server drains (up to 2 s), the endpoint commits and closes its
    /// links and stores, the thread is joined. Idempotent; not from the endpoint's own thread.
    public func stop() {
        guard stopped.withLock({ state in defer { state = true }; return !state }) else { return }
        let parts = self.parts
        let done = Mutex(false)
        _ = thread.loop.execute {
            parts.value.server.shutdown(gracePeriod: .seconds(2)) {
                parts.value.endpoint.stop()
                parts.value.webhooks.shutdown()
                done.withLock { $0 = true }
            }
        }
        while !done.withLock({ $0 }) { usleep(2_000) }
        thread.stopAndJoin()
    }

    deinit { stop() }
}
