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

    /// The JSON body for `items` (reporter, business) with reason `spam`, written as bytes
    /// directly: the floods build a 1 000-item body per POST, and the bench's own CPU time is
    /// taken from the honest load it measures (two cores, shared).
    static func body(_ items: some Sequence<(reporter: PhoneNumber, business: PhoneNumber)>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + 72 * items.underestimatedCount)
        bytes += #"{"reports":["#.utf8
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes += #"{"reporter":""#.utf8
            append(item.reporter, to: &bytes)
            bytes += #"","business":""#.utf8
            append(item.business, to: &bytes)
            bytes += #"","reason":"spam"}"#.utf8
        }
        bytes += "]}".utf8
        return bytes
    }

    /// Appends `number`'s text form (`+` and its digits).
    private static func append(_ number: PhoneNumber, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "+"))
        let start = bytes.count
        var rest = number.digits
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
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
