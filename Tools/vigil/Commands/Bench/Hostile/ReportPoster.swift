import Transport

/// `POST /v1/reports` to a `vigil serve` child: builds the batch body, sends it with the Bearer
/// token on a pooled keep-alive connection, and reads the 202's `accepted` count. Used by the
/// honest reporters and by the report floods alike.
struct ReportPoster: Sendable {
    /// `http://HOST:PORT/v1/reports`.
    let url: HTTPURL
    /// `Bearer TOKEN`.
    let authorization: String

    /// What one POST came to.
    enum Outcome: Sendable, Equatable {
        /// 202 with this many items accepted.
        case accepted(Int)
        /// Any other status.
        case status(Int)
        /// No response (connection refused or reset, timeout).
        case failed(String)
    }

    init(address: SocketAddress, token: String) throws(CLIError) {
        do throws(HTTPURLError) {
            url = try HTTPURL(parsing: "http://\(address)/v1/reports")
        } catch {
            throw CLIError("bench: \(error)")
        }
        authorization = "Bearer " + token
    }

    /// The JSON body for `items` (reporter, business) with reason `spam`.
    static func body(_ items: some Sequence<(reporter: PhoneNumber, business: PhoneNumber)>) -> [UInt8] {
        var text = #"{"reports":["#
        var first = true
        for item in items {
            if !first { text += "," }
            first = false
            text += #"{"reporter":""# + item.reporter.description + #"","business":""# + item.business.description + #"","reason":"spam"}"#
        }
        return Array((text + "]}").utf8)
    }

    /// Posts `body` with `client` and waits for the answer (at most 10 s).
    func post(_ body: [UInt8], with client: HTTPBlockingClient) -> Outcome {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: authorization)
        headers.add(name: "Content-Type", value: "application/json")
        do throws(HTTPClientError) {
            let response = try client.execute(HTTPClientRequest(method: .post, url: url, headers: headers, body: body, timeout: .seconds(10)))
            guard response.status.code == 202 else { return .status(Int(response.status.code)) }
            return .accepted(Self.acceptedCount(in: response.body) ?? 0)
        } catch {
            return .failed("\(error)")
        }
    }

    /// `N` from a body starting `{"accepted":N`.
    static func acceptedCount(in body: [UInt8]) -> Int? {
        let prefix = Array(#"{"accepted":"#.utf8)
        guard body.starts(with: prefix) else { return nil }
        let digits = body.dropFirst(prefix.count).prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
