/// What the router decided for a method and path.
public enum HTTPRouteResult: Hashable, Sendable {
    /// Route number `route` (in the order added) matches, with these parameters.
    case matched(route: Int, parameters: [String: String])
    /// No pattern matches the path: 404.
    case notFound
    /// Patterns match the path but not for this method: 405 with `Allow: allowed`.
    case methodNotAllowed(allowed: [HTTPMethod])
    /// The path's percent-encoding is broken (or decodes to invalid UTF-8): 400.
    case invalidPath
}

/// A small request router: routes are a method and an ``HTTPRoutePattern``; a request goes to
/// the most specific matching route (at the first segment where two patterns differ, a literal
/// beats a parameter; otherwise the one added first).
///
/// - Unmatched paths get 404 (or go to ``fallback``), matched paths with another method get 405
///   with `Allow`, broken percent-encoding gets 400.
/// - `HEAD` is served by the `GET` route when no `HEAD` route exists (the server drops the content).
/// - Routing ignores the query; handlers read it with ``HTTPRequest/queryParameters()``.
///
/// A value with closures: build it, then hand ``handler`` to the server. Loop-confined like the
/// handlers it holds.
public struct HTTPRouter {
    private struct Route {
        let method: HTTPMethod
        let pattern: HTTPRoutePattern
        let handler: HTTPHandler
    }

    private var routes: [Route] = []
    /// Handles requests no pattern matches (instead of 404).
    public var fallback: HTTPHandler?

    /// An empty router.
    public init() {}

    /// Adds a route. `pattern` is code, not input: an invalid one is a programmer error.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler) {
        guard let parsed = HTTPRoutePattern(pattern) else { preconditionFailure("invalid route pattern \(pattern)") }
        routes.append(Route(method: method, pattern: parsed, handler: handler))
    }

    /// How many routes were added.
    public var count: Int { routes.count }

    /// Decides where `path` (percent-encoded, without the query) goes for `method`.
    public func route(method: HTTPMethod, path: some StringProtocol) -> HTTPRouteResult {
        guard let segments = Self.decodedSegments(path) else { return .invalidPath }
        var best: (index: Int, parameters: [String: String])?
        var bestForGet: (index: Int, parameters: [String: String])?
        var allowed: [HTTPMethod] = []
        for (index, route) in routes.enumerated() {
            guard let parameters = route.pattern.match(segments) else { continue }
            if !allowed.contains(route.method) { allowed.append(route.method) }
            if route.method == method {
                if best.map({ isMoreSpecific(index, than: $0.index) }) ?? true { best = (index, parameters) }
            } else if method == .head && route.method == .get {
                if bestForGet.map({ isMoreSpecific(index, than: $0.index) }) ?? true { bestForGet = (index, parameters) }
            }
        }
        if let match = best ?? bestForGet { return .matched(route: match.index, parameters: match.parameters) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    /// Routes `request` and calls its handler (with ``HTTPRequest/pathParameters`` set), or
    /// answers 404/405/400 itself.
    public func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch route(method: request.method, path: request.path) {
        case let .matched(index, parameters):
            var request = request
            request.pathParameters = parameters
            routes[index].handler(request, responder)
        case .notFound:
            if let fallback {
                fallback(request, responder)
            } else {
                responder.respond(.text(.notFound, "404 Not Found: no route for \(request.path)\n"))
            }
        case let .methodNotAllowed(allowed):
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            responder.respond(.text(.methodNotAllowed, "405 Method Not Allowed: \(request.method) (allowed: \(list))\n",
                                    headers: ["Allow": list]))
        case .invalidPath:
            responder.respond(.text(.badRequest, "400 Bad Request: invalid percent-encoding in path\n"))
        }
    }

    /// The router as a server handler.
    public var handler: HTTPHandler {
        let router = self
        return { request, responder in router.handle(request, responder) }
    }

    /// Whether route `candidate` beats route `incumbent` (both matched the same path).
    private func isMoreSpecific(_ candidate: Int, than incumbent: Int) -> Bool {
        let left = routes[candidate].pattern
        let right = routes[incumbent].pattern
        for position in left.segments.indices {
            let leftLiteral = left.isLiteral(at: position)
            if leftLiteral != right.isLiteral(at: position) { return leftLiteral }
        }
        return candidate < incumbent
    }

    /// The path's segments after the leading `/`, percent-decoded; nil if malformed.
    static func decodedSegments(_ path: some StringProtocol) -> [String]? {
        guard path.hasPrefix("/") else { return path == "*" ? ["*"] : nil }
        // An ASCII path — every request target the server accepts — is split on its bytes, where
        // each `/` is a Character of its own (splitting Characters was a fifth of routing a
        // request); other text is split by Characters, as a combining mark after a `/` joins it.
        guard path.utf8.allSatisfy({ $0 < 0x80 }) else {
            var segments: [String] = []
            for piece in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                guard let decoded = HTTPPercentEncoding.decode(piece) else { return nil }
                segments.append(decoded)
            }
            return segments
        }
        let utf8 = path.utf8
        var segments: [String] = []
        var start = utf8.index(after: utf8.startIndex)
        var index = start
        while true {
            let atEnd = index == utf8.endIndex
            if atEnd || utf8[index] == UInt8(ascii: "/") {
                guard let decoded = HTTPPercentEncoding.decode(path[start..<index]) else { return nil }
                segments.append(decoded)
                if atEnd { return segments }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
    }
}
