import Foundation

/// An error in the Graph API's format, as Meta's Cloud API returns it:
/// `{"error":{"message","type","code","error_data":{"messaging_product","details"},"fbtrace_id"}}`
/// with the HTTP status Meta uses for that code. Client libraries (pywa, heyoo) map `code` to
/// their typed exceptions, so the codes and statuses here follow Meta's documentation.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status of the response.
    public var httpStatus: Int
    /// Meta's numeric error code.
    public var code: Int
    /// Meta's error subcode, when it has one.
    public var subcode: Int?
    /// `OAuthException`, `GraphMethodException`, …
    public var type: String
    /// The human-readable title, `(#code) …` as Meta writes it.
    public var message: String
    /// `error_data.details`: what exactly was wrong.
    public var details: String?

    /// Creates an error.
    public init(httpStatus: Int, code: Int, subcode: Int? = nil, type: String = "OAuthException", message: String, details: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.subcode = subcode
        self.type = type
        self.message = message
        self.details = details
    }

    /// "(#code) message: details".
    public var description: String { "(#\(code)) \(message)" + (details.map { ": \($0)" } ?? "") }

    /// 401 / 190: the access token is missing, malformed or not this business's.
    public static func invalidToken(_ details: String) -> GraphError {
        GraphError(httpStatus: 401, code: 190, type: "OAuthException", message: "Invalid OAuth access token - Cannot parse access token", details: details)
    }

    /// 400 / 100: a parameter is missing, of the wrong type, or invalid.
    public static func invalidParameter(_ details: String) -> GraphError {
        GraphError(httpStatus: 400, code: 100, type: "OAuthException", message: "(#100) Invalid parameter", details: details)
    }

    /// 400 / 100 / 33: the path names no object this endpoint knows.
    public static func unknownObject(_ id: String, method: String) -> GraphError {
        GraphError(httpStatus: 400, code: 100, subcode: 33, type: "GraphMethodException",
                   message: "Unsupported \(method.lowercased()) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
    }

    /// 400 / 131026: the recipient cannot receive the message (not registered on the relay).
    public static func undeliverable(_ details: String) -> GraphError {
        GraphError(httpStatus: 400, code: 131026, message: "(#131026) Message Undeliverable", details: details)
    }

    /// 400 / 131047: a free-form message more than 24 hours after the user last wrote.
    public static func reEngagement() -> GraphError {
        GraphError(httpStatus: 400, code: 131047, message: "(#131047) Re-engagement message",
                   details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
    }

    /// 429 / 131048: spam rate limit (the transport's integrity policy).
    public static func spamRateLimit(_ details: String) -> GraphError {
        GraphError(httpStatus: 429, code: 131048, message: "(#131048) Spam rate limit hit", details: details)
    }

    /// 429 / 131056: too many messages to the same user (pair rate limit).
    public static func pairRateLimit(_ details: String) -> GraphError {
        GraphError(httpStatus: 429, code: 131056, message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", details: details)
    }

    /// 429 / 130429: the number's throughput limit.
    public static func throughput(_ details: String) -> GraphError {
        GraphError(httpStatus: 429, code: 130429, message: "(#130429) Rate limit hit", details: details)
    }

    /// 403 / 368: temporarily blocked for policy violations.
    public static func policyBlock(_ details: String) -> GraphError {
        GraphError(httpStatus: 403, code: 368, message: "(#368) Temporarily blocked for policies violations", details: details)
    }

    /// 500 / 1: the endpoint failed; the request may be retried.
    public static func unknown(_ details: String) -> GraphError {
        GraphError(httpStatus: 500, code: 1, message: "An unknown error occurred", details: details)
    }

    /// 503 / 2: the relay is unreachable right now.
    public static func serviceUnavailable(_ details: String) -> GraphError {
        GraphError(httpStatus: 503, code: 2, message: "Service temporarily unavailable", details: details)
    }

    /// The error a transport admission denial maps to. The relay's error text starts with
    /// Meta's code (`"131048 …"`, see `AdmissionDecision`); anything else is a policy block.
    public static func admissionDenied(relayText: String) -> GraphError {
        let code = Int(relayText.prefix(while: \.isNumber)) ?? 368
        let details = relayText.drop(while: \.isNumber).trimmingCharacters(in: .whitespaces)
        switch code {
        case 131048: return .spamRateLimit(details)
        case 131056: return .pairRateLimit(details)
        case 130429: return .throughput(details)
        default: return .policyBlock(details.isEmpty ? relayText : details)
        }
    }

    /// The response body, with a fresh `fbtrace_id`.
    public func jsonBody(traceID: String) -> [UInt8] {
        // Written directly (sorted keys, as before): refusals are what a client hammering the
        // API gets back, and Foundation's JSONSerialization took a quarter of the endpoint's CPU.
        var error: [(String, GraphJSON)] = [("message", .string(message)), ("type", .string(type)), ("code", .int(code)), ("fbtrace_id", .string(traceID))]
        if let subcode { error.append(("error_subcode", .int(subcode))) }
        if let details { error.append(("error_data", .object([("messaging_product", "whatsapp"), ("details", .string(details))]))) }
        return GraphJSON.object([("error", .object(error))]).bytes
    }
}
