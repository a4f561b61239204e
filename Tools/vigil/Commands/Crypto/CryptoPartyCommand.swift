import Crypto

/// `vigil crypto-party`: one protocol party behind a JSON-lines interface, so Vigil's sessions can
/// be paired with an independent implementation (Tests/interop/signal_peer.py speaks the same).
struct CryptoPartyCommand: Command {
    static let help = """
        USAGE: vigil crypto-party

        Plays one party of Vigil's Signal-style protocol (docs/protocol.md), driven by JSON lines on
        standard input, one JSON line out per request (hex for bytes):
          {"op":"init","seed":H}                       → {"identity":H}   (seed: deterministic TEST keys)
          {"op":"bundle","spk_id":N,"opk_id":N|null}   → {"bundle":H}
          {"op":"initiate","peer":S,"bundle":H}        → {}
          {"op":"encrypt","peer":S,"plaintext":H}      → {"envelope":H}
          {"op":"decrypt","peer":S,"envelope":H}       → {"plaintext":H}
          {"op":"save","peer":S}                       → {"session":H}
          {"op":"load","peer":S,"session":H}           → {}
        Failures answer {"error":"…"} and leave the party unchanged.
        """

    init(parsing arguments: inout Arguments) throws(CLIError) {}

    func run() throws {
        final class State {
            var party: Party?
        }
        let state = State()
        JSONLines.serve { request in
            let op = try JSONLines.string(request, "op")
            if op == "init" {
                let random: any RandomSource = request["seed"] is String
                    ? SeededRandom(seedBytes: try JSONLines.hex(request, "seed")) : SystemRandom()
                let party = try Party(random: random)
                state.party = party
                return ["identity": party.identity.publicKey.rawRepresentation.hexString]
            }
            guard var party = state.party else { throw JSONLines.RequestError("no identity yet: send init first") }
            defer { state.party = party }
            switch op {
            case "bundle":
                let signedID = try JSONLines.integer(request, "spk_id", in: 0...Int(UInt32.max)) ?? 0
                let oneTimeID = try JSONLines.integer(request, "opk_id", in: 0...Int(UInt32.max - 1), optional: true)
                let bundle = try party.makeBundle(signedPreKeyID: UInt32(signedID), oneTimePreKeyID: oneTimeID.map(UInt32.init))
                return ["bundle": bundle.encoded.hexString]
            case "initiate":
                let peer = try JSONLines.string(request, "peer")
                try party.initiate(with: peer, bundle: try PreKeyBundle(encoded: try JSONLines.hex(request, "bundle")))
                return [:]
            case "encrypt":
                let peer = try JSONLines.string(request, "peer")
                return ["envelope": try party.encrypt(try JSONLines.hex(request, "plaintext"), for: peer).encoded.hexString]
            case "decrypt":
                let peer = try JSONLines.string(request, "peer")
                let envelope = try SessionEnvelope(encoded: try JSONLines.hex(request, "envelope"))
                return ["plaintext": try party.decrypt(envelope, from: peer).hexString]
            case "save":
                let peer = try JSONLines.string(request, "peer")
                guard let conversation = party.conversations[peer] else { throw JSONLines.RequestError("no conversation with \(peer)") }
                return ["session": conversation.serialized().hexString]
            case "load":
                let peer = try JSONLines.string(request, "peer")
                party.setConversation(try Conversation(serialized: try JSONLines.hex(request, "session")), with: peer)
                return [:]
            default:
                throw JSONLines.RequestError("unknown op '\(op)'")
            }
        }
    }
}
