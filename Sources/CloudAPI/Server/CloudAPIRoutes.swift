public import Transport

/// The Graph API surface of the endpoint over HTTP:
///
/// | Method | Path | Operation |
/// | --- | --- | --- |
/// | `POST` | `/v{N}/{phone-number-id}/messages` | send a text or template message |
/// | `GET` | `/v{N}/{phone-number-id}` | the number's quality rating, status and messaging limit |
///
/// `N` is any Graph version (`v17.0`, `v22.0`, …); clients choose theirs. Every answer is JSON;
/// errors are in Graph's format (`GraphError`), including for unknown paths.
public enum CloudAPIRoutes {
    /// A handler that routes requests to `endpoint` (which must live on the same loop).
    public static func handler(for endpoint: CloudAPIEndpoint) -> HTTPHandler {
        var router = HTTPRouter()
        router.add(.post, "/{version}/{id}/messages") { [weak endpoint] request, responder in
            guard let endpoint else { return responder.respond(unavailable()) }
            guard let id = versioned(request) else { return responder.respond(unknownPath(request, endpoint)) }
            endpoint.sendMessage(phoneNumberID: id, bearer: bearerToken(request), body: request.body) { reply in
                responder.respond(response(reply))
            }
        }
        router.add(.get, "/{version}/{id}") { [weak endpoint] request, responder in
            guard let endpoint else { return responder.respond(unavailable()) }
            guard let id = versioned(request) else { return responder.respond(unknownPath(request, endpoint)) }
            responder.respond(response(endpoint.phoneNumber(phoneNumberID: id, bearer: bearerToken(request))))
        }
        router.fallback = { [weak endpoint] request, responder in
            guard let endpoint else { return responder.respond(unavailable()) }
            responder.respond(unknownPath(request, endpoint))
        }
        return router.handler
    }

    /// The phone-number id of a `/v{N}/{id}…` path, if the version segment is well formed.
    static func versioned(_ request: HTTPRequest) -> String? {
        guard let version = request.pathParameters["version"], let id = request.pathParameters["id"],
              version.hasPrefix("v"), version.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }), version.count > 1
        else { return nil }
        return id
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let value = request.headers.values(for: "Authorization").first else { return nil }
        // ASCII — every token Meta issues — is scanned as bytes (Characters and `lowercased()`
        // were a tenth of routing a send); there every space and tab is a Character of its own,
        // so the result is the Character split's. Anything else takes that split.
        guard value.utf8.allSatisfy({ $0 < 0x80 }) else { return bearerToken(splitting: value) }
        let bytes = value.utf8
        let space = UInt8(ascii: " ")
        var index = bytes.startIndex
        while index != bytes.endIndex, bytes[index] == space { index = bytes.index(after: index) }
        let schemeStart = index
        while index != bytes.endIndex, bytes[index] != space { index = bytes.index(after: index) }
        guard index != bytes.endIndex, HTTPHeaders.nameEquals(value[schemeStart..<index], "bearer") else { return nil }
        var start = bytes.index(after: index)
        guard start != bytes.endIndex else { return nil }
        var end = bytes.endIndex
        let blank: (UInt8) -> Bool = { $0 == space || $0 == UInt8(ascii: "\t") }
        while start != end, blank(bytes[start]) { start = bytes.index(after: start) }
        while start != end, blank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return String(value[start..<end])
    }

    /// The token of an `Authorization` value with non-ASCII text, by Characters: the scheme is the
    /// first run of non-spaces, the token the rest after its space, spaces and tabs trimmed.
    private static func bearerToken(splitting value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        // Spaces and tabs trimmed by hand: Foundation's `trimmingCharacters` bridges through
        // NSString.
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        var token = parts[1].drop(while: blank)
        while let last = token.last, blank(last) { token.removeLast() }
        return String(token)
    }

    static func response(_ reply: GraphReply) -> HTTPResponse {
        HTTPResponse(status: HTTPStatus(code: reply.status), headers: ["Content-Type": "application/json"], body: reply.body)
    }

    static func unknownPath(_ request: HTTPRequest, _ endpoint: CloudAPIEndpoint) -> HTTPResponse {
        response(GraphReply(.unknownObject(String(request.path), method: request.method.rawValue), traceID: endpoint.traceID()))
    }

    static func unavailable() -> HTTPResponse {
        response(GraphReply(.serviceUnavailable("the endpoint is stopping"), traceID: "A"))
    }
}
