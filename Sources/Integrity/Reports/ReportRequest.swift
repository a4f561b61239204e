public import Transport

/// The body of `POST /v1/reports`, read into items:
///
/// ```json
/// {"reports":[{"reporter":"+447700900123","business":"+14155550100","reason":"spam","t":1700000000000,"envelope_id":"…"}]}
/// ```
///
/// A bare single report object is accepted too. `t` (ms) and `envelope_id` are optional. A body
/// that is not JSON, or not of this shape, is refused whole (400); one bad item is rejected alone
/// with its reason, and the rest of the batch goes on.
public enum ReportRequest {
    /// Why a whole request is refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not JSON (400).
        case malformed(RequestJSONError)
        /// JSON, but not a report batch (400): what is wrong with its shape.
        case invalidShape(String)
        /// More items than allowed (413).
        case tooManyItems(count: Int, limit: Int)

        /// A sentence for the error body.
        public var description: String {
            switch self {
            case let .malformed(error): error.description
            case let .invalidShape(message): message
            case let .tooManyItems(count, limit): "a batch holds at most \(limit) reports, got \(count)"
            }
        }
    }

    /// The longest envelope id kept.
    public static let maximumEnvelopeIDLength = 128

    /// Reads `body` into items (each parsed or rejected), at most `limit` of them.
    public static func parse(_ body: [UInt8], limit: Int) throws(Failure) -> [Result<ReportSubmission, ReportRejection>] {
        let root: RequestJSON
        do {
            root = try RequestJSONReader.parse(body)
        } catch {
            throw .malformed(error)
        }
        guard case let .object(members) = root else { throw .invalidShape("the body must be a JSON object") }
        let items: [RequestJSON]
        if let list = root["reports"] {
            guard case let .array(values) = list else { throw .invalidShape("\"reports\" must be an array") }
            if let other = members.first(where: { $0.key != "reports" }) {
                throw .invalidShape("unknown member \"\(other.key)\" beside \"reports\"")
            }
            items = values
        } else if root["reporter"] != nil || root["business"] != nil {
            items = [root]
        } else {
            throw .invalidShape("expected {\"reports\":[…]} or one report object with \"reporter\", \"business\" and \"reason\"")
        }
        guard items.count <= limit else { throw .tooManyItems(count: items.count, limit: limit) }
        guard !items.isEmpty else { throw .invalidShape("\"reports\" is empty") }
        return items.map(item)
    }

    /// One item: its fields checked in the order the rejection reasons are listed.
    static func item(_ value: RequestJSON) -> Result<ReportSubmission, ReportRejection> {
        guard case .object = value,
              case let .string(reporterText)? = value["reporter"],
              case let .string(businessText)? = value["business"],
              case let .string(reasonText)? = value["reason"]
        else { return .failure(.invalidItem) }
        guard let reporter = PhoneNumber(reporterText), let business = PhoneNumber(businessText) else {
            return .failure(.invalidNumber)
        }
        guard let reason = ReportReason.allCases.first(where: { $0.description == reasonText }) else {
            return .failure(.invalidReason)
        }
        var time: Int64?
        if let field = value["t"], field != .null {
            guard let milliseconds = field.integer else { return .failure(.invalidTime) }
            time = milliseconds
        }
        var envelopeID: String?
        if let field = value["envelope_id"], field != .null {
            guard case let .string(text) = field, !text.isEmpty, text.utf8.count <= maximumEnvelopeIDLength else {
                return .failure(.invalidItem)
            }
            envelopeID = text
        }
        return .success(ReportSubmission(reporter: reporter, business: business, reason: reason, time: time, envelopeID: envelopeID))
    }

    /// The 202 body: `{"accepted":N,"rejected":[{"index":i,"reason":"no_contact"},…]}`.
    public static func responseJSON(_ outcome: ReportBatchOutcome) -> String {
        let rejected = outcome.rejected.map { "{\"index\":\($0.index),\"reason\":\"\($0.reason.rawValue)\"}" }
        return "{\"accepted\":\(outcome.accepted.count),\"rejected\":[" + rejected.joined(separator: ",") + "]}"
    }
}
