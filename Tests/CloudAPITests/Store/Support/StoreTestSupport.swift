@testable import CloudAPI
import Crypto
import Foundation
import Storage
import Testing

/// Fixtures for the store's tests: temporary directories, an injected clock, records with real
/// values, and a byte scanner over every file under a directory.
enum StoreFixture {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A fresh directory under the system's temporary directory, removed on release.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        func file(_ name: String) -> String { path + "/" + name }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A clock the test moves by hand; the store only ever sees the `now` it is given.
    struct Clock {
        /// Milliseconds since the Unix epoch.
        var now: Int64

        /// `day` at `hour`:`minute` UTC.
        init(day: UTCDay, hour: Int64 = 0, minute: Int64 = 0) {
            now = day.startSecondsSince1970 * 1000 + hour * 3_600_000 + minute * 60_000
        }

        mutating func advance(days: Int64 = 0, hours: Int64 = 0, milliseconds: Int64 = 0) {
            now += days * 86_400_000 + hours * 3_600_000 + milliseconds
        }

        var today: UTCDay { UTCDay(secondsSince1970: now / 1000) }
    }

    /// 2024-03-01, a Friday; the retention test's day 0.
    static let day0 = UTCDay(daysSince1970: 19_783)

    static let business = "+14155550100"
    static let phoneNumberID = "106540352242922"

    /// A store at a region directory under `root/data`, created with a master key at
    /// `root/master.key`.
    static func openStore(in root: TemporaryDirectory, region: StorageRegion = .na) throws -> MessageStore {
        let data = root.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let key = try MasterKey.loadOrCreate(path: root.file("master.key"))
        return try MessageStore(location: .region(region, dataDirectory: data), masterKey: key)
    }

    /// A Meta-style inbound text message from `consumer`.
    static func inbound(id: String, consumer: String, time: Int64, body: String) -> MessageRecord {
        let json = """
            {"messaging_product":"whatsapp","metadata":{"display_phone_number":"14155550100","phone_number_id":"\(phoneNumberID)"},\
            "contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"\(consumer.dropFirst())"}],\
            "messages":[{"from":"\(consumer.dropFirst())","id":"\(id)","timestamp":"\(time / 1000)","text":{"body":"\(body)"},"type":"text"}]}
            """
        return MessageRecord(
            id: id, businessPhoneNumberID: phoneNumberID, business: business, consumer: consumer,
            direction: .inbound, time: time, kind: "text", payload: Array(json.utf8))
    }

    /// A Meta-style outbound text message to `consumer`.
    static func outbound(id: String, consumer: String, time: Int64, body: String) -> MessageRecord {
        let json = """
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"\(consumer.dropFirst())",\
            "type":"text","text":{"preview_url":false,"body":"\(body)"}}
            """
        return MessageRecord(
            id: id, businessPhoneNumberID: phoneNumberID, business: business, consumer: consumer,
            direction: .outbound, time: time, kind: "text", payload: Array(json.utf8))
    }

    /// A wamid-looking random id.
    static func wamid() -> String {
        "wamid.HBgL" + String((0..<40).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "A" })
    }

    /// The store's error from `body`, or `nil` if it throws none or another type.
    static func storeError(_ body: () throws -> Void) -> MessageStoreError? {
        do {
            try body()
            return nil
        } catch let error as MessageStoreError {
            return error
        } catch {
            return nil
        }
    }

    /// The master-key error from `body`, or `nil`.
    static func masterKeyError(_ body: () throws -> Void) -> MasterKeyError? {
        do {
            try body()
            return nil
        } catch let error as MasterKeyError {
            return error
        } catch {
            return nil
        }
    }
}

/// Reads every regular file under a directory and reports which contain a byte string.
enum FileScan {
    /// Every regular file under `root`, recursively, with its contents.
    static func files(under root: String) throws -> [(path: String, bytes: [UInt8])] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw StoreFixture.Failure(description: "cannot list \(root)")
        }
        var files: [(String, [UInt8])] = []
        for case let relative as String in enumerator {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StoreFixture.Failure(description: "cannot read \(path)")
            }
            files.append((path, [UInt8](data)))
        }
        return files
    }

    /// The files under `root` whose bytes contain `needle` anywhere.
    static func files(under root: String, containing needle: [UInt8]) throws -> [String] {
        precondition(!needle.isEmpty, "scan for an empty needle")
        return try files(under: root).filter { contains($0.bytes, needle) }.map(\.path)
    }

    /// Whether `haystack` contains `needle` as a contiguous run.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

extension SymmetricKey {
    /// The key's bytes, for scanning files for them.
    var testBytes: [UInt8] { Array(secureBytes) }
}
