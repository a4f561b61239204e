import COpenSSL

/// An owned, immutable buffer for secret bytes that is wiped with `OPENSSL_cleanse` when released.
///
/// Swift arrays may be copied, moved and resized behind the program's back, leaving stray copies
/// of a secret in freed memory; `SecureBytes` allocates its storage once, never copies it, and
/// overwrites it on `deinit`. Keys (`SymmetricKey`, private keys), shared secrets and derived key
/// material live in `SecureBytes`. The contents are fixed at creation, so instances can be shared
/// freely between threads.
///
/// It is a read-only `RandomAccessCollection` of bytes so it can be passed wherever a byte
/// collection is accepted; copying it out (e.g. `Array(secureBytes)`) defeats the wiping and is
/// the caller's responsibility. `description` never shows the contents.
public final class SecureBytes: @unchecked Sendable {
    // @unchecked Sendable: `storage` is written only inside the initializers, before `self` is
    // published, and only read afterwards; `deinit` runs when no other reference exists.
    private let storage: UnsafeMutablePointer<UInt8>

    /// The number of bytes held.
    public let count: Int

    private init(adopting storage: UnsafeMutablePointer<UInt8>, count: Int) {
        self.storage = storage
        self.count = count
    }

    /// Creates a buffer of `count` bytes, zero-filled and then written by `initializer`.
    ///
    /// If `initializer` throws, the partially written memory is wiped and released before the
    /// error propagates.
    public convenience init<E: Error>(
        count: Int,
        initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        precondition(count >= 0, "SecureBytes count must not be negative")
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(count, 1))
        storage.initialize(repeating: 0, count: Swift.max(count, 1))
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: storage, count: count))
        } catch {
            OPENSSL_cleanse(storage, count)
            storage.deallocate()
            throw error
        }
        self.init(adopting: storage, count: count)
    }

    /// Creates a buffer holding a copy of `bytes`.
    public convenience init(_ bytes: some Collection<UInt8>) {
        let count = bytes.count
        self.init(count: count) { (destination: UnsafeMutableRawBufferPointer) in
            bytes.withContiguousInput { (source: UnsafeRawBufferPointer) in
                if count > 0 { destination.copyMemory(from: source) }
            }
        }
    }

    /// Creates a buffer of `count` copies of `byte` (e.g. the 32 0xFF bytes that open X3DH's KDF
    /// input).
    public convenience init(repeating byte: UInt8, count: Int) {
        self.init(count: count) { (buffer: UnsafeMutableRawBufferPointer) in
            if count > 0 { buffer.initializeMemory(as: UInt8.self, repeating: byte) }
        }
    }

    /// Creates a buffer holding the concatenation of `parts`, in order, without intermediate copies
    /// (e.g. X3DH's F ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4 key material).
    public convenience init(concatenating parts: [SecureBytes]) {
        let total = parts.reduce(0) { $0 + $1.count }
        self.init(count: total) { (buffer: UnsafeMutableRawBufferPointer) in
            var offset = 0
            for part in parts {
                part.withUnsafeBytes { bytes in
                    if bytes.count > 0 {
                        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + bytes.count])
                            .copyMemory(from: bytes)
                    }
                }
                offset += part.count
            }
        }
    }

    /// Creates a buffer of `count` bytes from `random`.
    public convenience init(count: Int, using random: any RandomSource) throws(CryptoError) {
        try self.init(count: count) { (buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try random.fill(buffer)
        }
    }

    deinit {
        OPENSSL_cleanse(storage, count)
        storage.deallocate()
    }

    /// Calls `body` with the bytes. The pointer must not escape `body`.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Compares with `other` in time that depends only on the lengths (`CRYPTO_memcmp`).
    public func isEqual(to other: SecureBytes) -> Bool {
        ConstantTime.equals(self, other)
    }
}

extension SecureBytes: RandomAccessCollection {
    /// Always 0.
    public var startIndex: Int { 0 }

    /// `count`.
    public var endIndex: Int { count }

    /// The byte at `position`, which must be in `0..<count`.
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "SecureBytes index out of range")
        return storage[position]
    }

    /// Lends the storage directly, so byte-consuming APIs never copy secret bytes.
    public func withContiguousStorageIfAvailable<R>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R? {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }
}

extension SecureBytes: CustomStringConvertible {
    /// "SecureBytes(N bytes)": the contents are never printed.
    public var description: String { "SecureBytes(\(count) bytes)" }
}

extension Array where Element == UInt8 {
    /// Appends `bytes` with one copy. The generic `append(contentsOf:)` would read a
    /// `SecureBytes` one bounds-checked subscript at a time (a session's serialization is ~1 KiB).
    public mutating func append(contentsOf bytes: SecureBytes) {
        bytes.withUnsafeBytes { append(contentsOf: $0) }
    }

    /// Appends `rhs` with one copy (see ``append(contentsOf:)``).
    public static func += (lhs: inout [UInt8], rhs: SecureBytes) {
        lhs.append(contentsOf: rhs)
    }
}
