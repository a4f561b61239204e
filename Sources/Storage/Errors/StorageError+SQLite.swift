import CSQLite
import Glibc

extension StorageError {
    /// The error for result code `result` from a call on the connection `handle`, classified by the
    /// result code when it is specific and by `context` otherwise. Reads `sqlite3_errmsg`, so it
    /// must be called right after the failing call, before any other call on the connection.
    static func sqlite(_ result: Int32, handle: OpaquePointer?, context: Code, operation: String) -> StorageError {
        let primary = result & 0xff
        let message: String
        if let handle, let text = sqlite3_errmsg(handle) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(result))
        }
        return StorageError(
            code: classify(primary, context: context), resultCode: primary, extendedResultCode: result,
            message: message, operation: operation
        )
    }

    /// The ``Code`` for a primary result code met while doing `context`.
    static func classify(_ primary: Int32, context: Code) -> Code {
        switch primary {
        case SQLITE_CONSTRAINT: .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_CORRUPT: .corrupt
        case SQLITE_NOTADB: .notADatabase
        case SQLITE_IOERR: .ioError
        case SQLITE_FULL: .full
        case SQLITE_READONLY: .readOnly
        case SQLITE_MISUSE: .misuse
        default: context
        }
    }

    /// An error Vigil raises itself about API use, with `code`.
    static func usage(_ code: Code, _ message: String, operation: String) -> StorageError {
        StorageError(code: code, message: message, operation: operation)
    }

    /// The error for a failed file-system call, from `errno` as it is now.
    static func system(_ call: String, path: String) -> StorageError {
        let number = errno
        return StorageError(
            code: .fileSystem, message: "\(call) failed: \(String(cString: strerror(number)))",
            operation: "\(call) \(path)", systemErrno: number
        )
    }

    /// `underlying` re-labelled as the failure of migration `version`, keeping SQLite's codes.
    static func migration(_ version: Int, underlying: StorageError) -> StorageError {
        StorageError(
            code: .migration, resultCode: underlying.resultCode,
            extendedResultCode: underlying.extendedResultCode,
            message: "migration to version \(version) failed and was rolled back: \(underlying.code): \(underlying.message)",
            operation: underlying.operation, migrationVersion: version, systemErrno: underlying.systemErrno
        )
    }
}
