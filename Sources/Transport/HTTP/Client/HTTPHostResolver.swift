import Dispatch
import Glibc

/// Turns a URL's host into a socket address: numeric hosts and `localhost` at once, names with
/// `getaddrinfo` on a background thread (it blocks), never on the event loop.
enum HTTPHostResolver {
    /// The address of a numeric host (or `localhost`), or nil if `host` is a name.
    static func numericAddress(host: String, port: UInt16) -> SocketAddress? {
        if host == "localhost" { return .loopbackIPv4(port: port) }
        if let bytes = SocketAddress.parseNumericHost(host, family: AF_INET, byteCount: 4) {
            return SocketAddress(ipv4: bytes, port: port)
        }
        if let bytes = SocketAddress.parseNumericHost(host, family: AF_INET6, byteCount: 16) {
            return SocketAddress(ipv6: bytes, port: port)
        }
        return nil
    }

    /// Resolves `host` off the loop and calls `completion` on `loop` with the first TCP address
    /// (IPv4 preferred) or `getaddrinfo`'s message.
    static func resolve(
        host: String, port: UInt16, on loop: EventLoop,
        completion: @escaping @Sendable (Result<SocketAddress, ResolutionFailure>) -> Void
    ) {
        DispatchQueue.global().async {
            let result = blockingResolve(host: host, port: port)
            loop.execute { completion(result) }
        }
    }

    /// `getaddrinfo`'s message for a failed lookup.
    struct ResolutionFailure: Error, Sendable {
        let message: String
    }

    /// `getaddrinfo(host, AF_UNSPEC, SOCK_STREAM)`.
    ///
    /// The corresponding C function is `getaddrinfo`.
    static func blockingResolve(host: String, port: UInt16) -> Result<SocketAddress, ResolutionFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let message = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            return .failure(ResolutionFailure(message: message))
        }
        defer { freeaddrinfo(first) }
        var candidates: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let raw = current.pointee.ai_addr, Int(current.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Int(current.pointee.ai_addrlen)))
                }
                if let address = SocketAddress(storage: storage) { candidates.append(address.withPort(port)) }
            }
            entry = current.pointee.ai_next
        }
        guard let chosen = candidates.first(where: { $0.family == .ipv4 }) ?? candidates.first else {
            return .failure(ResolutionFailure(message: "no TCP address"))
        }
        return .success(chosen)
    }
}
