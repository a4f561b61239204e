import Foundation

/// Loads Wycheproof vector files from the test bundle's `Vectors` folder.
enum Wycheproof {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "vector file not found: \(name)" }
    }

    /// A Wycheproof file with groups of type `Group`.
    struct File<Group: Decodable>: Decodable {
        let algorithm: String
        let numberOfTests: Int
        let testGroups: [Group]
    }

    /// `Vectors/<name>` decoded.
    static func load<Group: Decodable>(_ name: String, as group: Group.Type) throws -> File<Group> {
        guard let base = Bundle.module.resourceURL else { throw Missing(name: name) }
        let url = base.appendingPathComponent("Vectors").appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(name: name) }
        return try JSONDecoder().decode(File<Group>.self, from: data)
    }

    /// The `result` field.
    enum Result: String, Decodable {
        case valid, invalid, acceptable
    }

    struct AEADGroup: Decodable {
        let ivSize: Int
        let keySize: Int
        let tagSize: Int
        let tests: [AEADTest]
    }

    struct AEADTest: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let key: String
        let iv: String
        let aad: String
        let msg: String
        let ct: String
        let tag: String
        let result: Result
    }

    struct XDHGroup: Decodable {
        let curve: String
        let tests: [XDHTest]
    }

    struct XDHTest: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let `public`: String
        let `private`: String
        let shared: String
        let result: Result
    }

    struct EdDSAGroup: Decodable {
        struct Key: Decodable {
            let pk: String
        }

        let publicKey: Key
        let tests: [EdDSATest]
    }

    struct EdDSATest: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let msg: String
        let sig: String
        let result: Result
    }

    struct HKDFGroup: Decodable {
        let keySize: Int
        let tests: [HKDFTest]
    }

    struct HKDFTest: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let ikm: String
        let salt: String
        let info: String
        let size: Int
        let okm: String
        let result: Result
    }

    struct MACGroup: Decodable {
        let keySize: Int
        let tagSize: Int
        let tests: [MACTest]
    }

    struct MACTest: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let key: String
        let msg: String
        let tag: String
        let result: Result
    }
}
