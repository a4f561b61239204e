@testable import Transport

/// A raw TCP server that answers each request head (up to its blank line; requests carry no
/// content) with the next scripted reply, whatever the connection: for client tests that need
/// a misbehaving server.
final class ScriptedHTTPPeer {
    enum Reply: Sendable {
        /// Write these bytes.
        case send(String)
        /// Write these bytes, then close.
        case sendThenClose(String)
        /// Close without answering.
        case close
        /// Never answer.
        case silence
    }

    let fixture: ServerFixture
    let script: Recorded<[Reply]>
    let requests = Recorded<[String]>([])

    var address: SocketAddress { fixture.address }
    var accepted: Int { fixture.accepted.value }

    init(_ replies: [Reply]) throws {
        let script = Recorded(replies)
        let requests = self.requests
        self.script = script
        fixture = try ServerFixture { connection, closes in
            Handler(script: script, requests: requests, closes: closes)
        }
    }

    final class Handler: TCPConnectionDelegate {
        let script: Recorded<[Reply]>
        let requests: Recorded<[String]>
        let closes: Recorded<[CloseReason]>
        var buffered: [UInt8] = []

        init(script: Recorded<[Reply]>, requests: Recorded<[String]>, closes: Recorded<[CloseReason]>) {
            self.script = script
            self.requests = requests
            self.closes = closes
        }

        func connectionDidRead(_ connection: TCPConnection) {
            buffered += connection.inputBytes
            connection.consumeInput(connection.inputBytes.count)
            let terminator: [UInt8] = [13, 10, 13, 10]
            while let end = buffered.indices.first(where: { buffered[$0...].starts(with: terminator) }) {
                let head = String(decoding: buffered[..<end], as: UTF8.self)
                buffered.removeSubrange(..<(end + 4))
                requests.update { $0.append(head) }
                var reply = Reply.close
                script.update { if !$0.isEmpty { reply = $0.removeFirst() } }
                switch reply {
                case let .send(text):
                    connection.write(Array(text.utf8))
                case let .sendThenClose(text):
                    connection.write(Array(text.utf8))
                    connection.close()
                    return
                case .close:
                    connection.close()
                    return
                case .silence:
                    continue
                }
            }
        }

        func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
            closes.update { $0.append(reason) }
        }
    }
}
