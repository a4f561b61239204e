import COpenSSL

/// A failed call into OpenSSL's libcrypto: the function's name and the library's reason.
///
/// Built from the thread's OpenSSL error queue (`ERR_get_error`, `ERR_error_string_n`) right
/// after the failing call, on the same thread; the queue is drained so no stale error is left for
/// a later call to misreport.
public struct OpenSSLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The OpenSSL function that failed, e.g. `EVP_PKEY_derive`.
    public let function: String
    /// The packed OpenSSL error code of the first queued error, or 0 if the queue was empty.
    public let code: UInt
    /// OpenSSL's text for that error (`ERR_error_string_n`), or a note that none was queued.
    public let reason: String

    /// Creates an error value; normally made by Vigil from the OpenSSL error queue.
    public init(function: String, code: UInt, reason: String) {
        self.function = function
        self.code = code
        self.reason = reason
    }

    /// "`function` failed: `reason`".
    public var description: String { "\(function) failed: \(reason)" }
}

/// Small helpers shared by every call site into libcrypto.
enum OpenSSL {
    /// Drains the calling thread's error queue into an `OpenSSLError` for `function`. The first
    /// queued error is kept: OpenSSL pushes the innermost cause first.
    static func drainError(_ function: StaticString) -> OpenSSLError {
        drainError(named: "\(function)")
    }

    /// `drainError` for a function named by one of the shim's composite helpers (a C string
    /// literal that `*failed` points at; `nil` if the helper did not set it).
    static func drainError(cName: UnsafePointer<CChar>?) -> OpenSSLError {
        drainError(named: cName.map { String(cString: $0) } ?? "libcrypto")
    }

    /// The typed error for a composite helper that failed in the call named by `cName`.
    static func error(cName: UnsafePointer<CChar>?) -> CryptoError {
        .library(drainError(cName: cName))
    }

    private static func drainError(named function: String) -> OpenSSLError {
        var first: UInt = 0
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first == 0 { first = code }
        }
        guard first != 0 else {
            return OpenSSLError(function: function, code: 0, reason: "no reason reported by OpenSSL")
        }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return OpenSSLError(function: function, code: first, reason: reason)
    }

    /// The typed error for a failed call to `function`.
    static func error(_ function: StaticString) -> CryptoError {
        .library(drainError(function))
    }

    /// Throws unless `result` is 1, OpenSSL's success value for the calls Vigil makes.
    @inline(__always)
    static func check(_ result: Int32, _ function: StaticString) throws(CryptoError) {
        guard result == 1 else { throw error(function) }
    }

    /// Returns `pointer` or throws the error for `function` when it is NULL.
    @inline(__always)
    static func unwrap<T>(_ pointer: T?, _ function: StaticString) throws(CryptoError) -> T {
        guard let pointer else { throw error(function) }
        return pointer
    }

    /// OpenSSL's update calls take `int` lengths; inputs are fed in chunks of at most this size.
    static let maximumChunk = 1 << 30
}
