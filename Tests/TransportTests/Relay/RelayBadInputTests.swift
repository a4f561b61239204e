import Glibc
import Testing
@testable import Transport

/// Hostile and broken input against a live relay (docs/wire.md, "Connection state machine" and
/// "Error codes"): each input gets exactly the error frame the table prescribes, with the request
/// id echoed, and is closed or kept as the table says; the relay never crashes, and after all of
/// it an honest pair still exchanges envelopes.
@Suite("Relay bad input", .timeLimit(.minutes(2)))
struct RelayBadInputTests {
    static let device = RelayTestHost.device

    /// What a fresh decoder makes of the first bytes of a stream: the relay's own codec, used as
    /// the oracle for which error code random input must get.
    enum FirstOutcome: Equatable {
        case error(code: UInt16, requestID: RequestID)
        case needsMoreBytes
        case frame(DecodedFrame)
    }

    static func firstOutcome(of bytes: [UInt8]) -> FirstOutcome {
        var decoder = FrameDecoder()
        decoder.feed(bytes)
        do throws(WireError) {
            guard let frame = try decoder.next() else { return .needsMoreBytes }
            return .frame(frame)
        } catch {
            return .error(code: error.code.rawValue, requestID: error.requestID ?? .zero)
        }
    }

    /// The error codes and request ids of `frames`; a non-error frame shows as code 0.
    static func errors(_ frames: [DecodedFrame]) -> [(code: UInt16, requestID: RequestID)] {
        frames.map { ($0.frame.relayTestErrorCode ?? 0, $0.requestID) }
    }

    /// `frames` must be exactly one error with `code` and `requestID`.
    static func expectOneError(
        _ frames: [DecodedFrame], _ code: UInt16, requestID: RequestID = .zero, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(frames.count == 1, comment, sourceLocation: sourceLocation)
        #expect(frames.first?.frame.relayTestErrorCode == code, comment, sourceLocation: sourceLocation)
        #expect(frames.first?.requestID == requestID, comment, sourceLocation: sourceLocation)
    }

    /// An authenticated client on `relay`.
    static func authenticated(_ relay: RelayTestHost) throws -> RelayTestClient {
        try relay.registeredClient().client
    }

    // MARK: Random input

    /// Random bytes in five shapes: pure noise; a plausible length then noise (bad version); a
    /// plausible length and version 1 then noise (unknown type or oversized body, mostly); a
    /// complete frame of random type and body; the start of a large frame still waiting for its body.
    static func randomInput(seed: UInt64) -> [UInt8] {
        var random = WireRandom(seed: seed)
        while true {
            var bytes = random.bytes(10...2048)
            switch seed % 5 {
            case 0:
                break
            case 1:
                bytes[0] = 0
                bytes[1] = 0
            case 2:
                bytes[0] = 0
                bytes[1] = 0
                bytes[4] = 1
            case 3:
                bytes.replaceSubrange(0..<5, with: RelayTestClient.bigEndian(UInt32(bytes.count - 4)) + [1])
                if random.chance(0.5), let type = FrameType.allCases.randomElement(using: &random) { bytes[5] = type.rawValue }
            default:
                let type = [FrameType.send, .publishPreKeys, .deliver][random.int(0...2)]
                bytes.replaceSubrange(0..<6, with: RelayTestClient.bigEndian(UInt32(bytes.count - 4 + random.int(1...1000))) + [1, type.rawValue])
            }
            // A valid first frame would be served rather than refused; draw again.
            if case .frame = firstOutcome(of: bytes) { continue }
            return bytes
        }
    }

    @Test func randomBytesBeforeAuthenticationGetTheDecodersErrorAndAClose() throws {
        let relay = try RelayTestHost(authenticationTimeout: .seconds(1))
        let seeds: [UInt64] = Array(1...50)
        var clients: [RelayTestClient] = []
        var inputs: [[UInt8]] = []
        for seed in seeds {
            let input = Self.randomInput(seed: seed)
            let client = try RelayTestClient(relay.address)
            try client.writeRaw(input)
            clients.append(client)
            inputs.append(input)
        }
        var codes: Set<UInt16> = []
        for (index, client) in clients.enumerated() {
            let frames = try client.framesUntilClosed(timeout: .seconds(10))
            switch Self.firstOutcome(of: inputs[index]) {
            case let .error(code, requestID):
                Self.expectOneError(frames, code, requestID: requestID, "seed \(seeds[index])")
                codes.insert(code)
            case .needsMoreBytes:
                // A frame still waiting for its body: the authentication deadline ends it.
                Self.expectOneError(frames, 300, "seed \(seeds[index])")
                codes.insert(300)
            case .frame:
                Issue.record("seed \(seeds[index]): the input generator made a valid frame")
            }
        }
        // The seeds reach framing errors, frame errors and the deadline.
        #expect(codes.isSuperset(of: [100, 102, 300]), "codes \(codes.sorted())")
        #expect(codes.contains { (200...203).contains($0) }, "codes \(codes.sorted())")
        #expect(relay.waitUntil { $0.connectionCount == 0 })
        try relay.expectHonestExchange()
    }

    @Test func randomFramesAfterAuthenticationAreRefusedOneByOneAndTheStreamStaysInSync() throws {
        let relay = try RelayTestHost()
        let client = try Self.authenticated(relay)
        var random = WireRandom(seed: 0x5EED)
        var stream: [UInt8] = []
        var expected: [DecodedFrame] = []
        var count = 0
        while count < 300 {
            let requestID = random.requestID()
            let bytes: [UInt8]
            if random.chance(0.1) {
                // Now and then a valid frame of any type (relay → client ones must get 203).
                bytes = try FrameEncoder().encode(random.smallFrame(), requestID: requestID)
            } else {
                let type = random.chance(0.5) ? (FrameType.allCases.randomElement(using: &random)?.rawValue ?? 0) : random.byte()
                bytes = RelayTestClient.rawFrame(type: type, requestID: requestID.rawValue, body: random.bytes(0...48))
            }
            let reply: Frame
            switch Self.firstOutcome(of: bytes) {
            case let .error(code, echoed):
                #expect(echoed == requestID)
                reply = .error(code: WireErrorCode(rawValue: code), message: "")
            case let .frame(decoded) where decoded.frame.type.direction == .relayToClient:
                reply = .error(code: .wrongDirection, message: "")
            case let .frame(decoded):
                // Valid frames the relay would act on (or ignore) are not what this test is about.
                guard case let .ping(nonce) = decoded.frame else { continue }
                reply = .pong(nonce: nonce)
            case .needsMoreBytes:
                Issue.record("a complete frame needs more bytes")
                continue
            }
            stream += bytes
            expected.append(DecodedFrame(requestID: requestID, frame: reply))
            count += 1
        }
        try client.writeRaw(stream)
        var received: [DecodedFrame] = []
        for _ in expected.indices { received.append(try client.requireFrame()) }
        // Compare codes and ids, not the human text.
        func shape(_ decoded: DecodedFrame) -> String {
            if let code = decoded.frame.relayTestErrorCode { return "error \(code) \(decoded.requestID)" }
            return "\(decoded.frame) \(decoded.requestID)"
        }
        #expect(received.map(shape) == expected.map(shape))
        let codes = Set(expected.compactMap(\.frame.relayTestErrorCode))
        #expect(codes == [200, 201, 202, 203], "codes \(codes.sorted())")
        #expect(try client.framesBeforePong() == [])
        try relay.expectHonestExchange()
    }

    // MARK: Framing errors

    @Test(arguments: [
        ("4 GiB length prefix", [0xFF, 0xFF, 0xFF, 0xFF], 100),
        ("one byte over the maximum frame", RelayTestClient.bigEndian(UInt32(WireFormat.defaultMaximumFrameSize - 4 + 1)), 100),
        ("length 0", [0, 0, 0, 0], 101),
        ("length 5", [0, 0, 0, 5], 101),
        ("version 2", [0, 0, 0, 14, 2], 102),
        ("version 0", [0, 0, 0, 14, 0], 102),
    ] as [(String, [UInt8], UInt16)])
    func framingErrorsAreAnsweredFromTheHeaderAndClose(name: String, header: [UInt8], code: UInt16) throws {
        let relay = try RelayTestHost()
        // Only the offending header bytes are sent: the relay must decide without waiting for a body.
        let anonymous = try RelayTestClient(relay.address)
        try anonymous.writeRaw(header)
        Self.expectOneError(try anonymous.framesUntilClosed(), code, "\(name), before authentication")
        let member = try Self.authenticated(relay)
        try member.writeRaw(header)
        Self.expectOneError(try member.framesUntilClosed(), code, "\(name), authenticated")
        #expect(relay.waitUntil { $0.connectionCount == 0 })
        try relay.expectHonestExchange()
    }

    // MARK: Truncated frames

    @Test func truncatedFramesAreMalformed() throws {
        let relay = try RelayTestHost(authenticationTimeout: .seconds(1))
        let phone = relay.makePhone()

        // Before authentication: 201, echoing the id, and close.
        let anonymous = try RelayTestClient(relay.address)
        try anonymous.writeRaw(try RelayTestClient.truncated(.register(phone: phone, device: Self.device), requestID: 5, by: 2))
        Self.expectOneError(try anonymous.framesUntilClosed(), 201, requestID: 5)

        // Authenticated: 201 for each, the connection stays and the stream stays in sync.
        let (member, _, _) = try relay.registeredClient()
        let (peer, peerPhone, _) = try relay.registeredClient()
        let send = Frame.send(OutgoingEnvelope(recipient: peerPhone, clientMessageID: 1, kind: .user, ciphertext: [1, 2, 3, 4]))
        try member.writeRaw(try RelayTestClient.truncated(send, requestID: 11, by: 1))
        try member.writeRaw(try RelayTestClient.truncated(.ack(envelopeIDs: [EnvelopeID(high: 1, low: 2)]), requestID: 12, by: 1))
        try member.writeRaw(try RelayTestClient.truncated(.block(blocked: peerPhone, reason: .spam), requestID: 13, by: 1))
        try member.writeRaw(try RelayTestClient.truncated(.register(phone: phone, device: Self.device), requestID: 14, by: 4))
        let replies = Self.errors(try (0..<4).map { _ in try member.requireFrame() })
        #expect(replies.map(\.code) == [201, 201, 201, 201])
        #expect(replies.map(\.requestID) == [11, 12, 13, 14])
        #expect(try member.framesBeforePong() == [])
        // Nothing of the truncated send was accepted: the same client message id is new.
        let accepted = try member.sendAccepted(to: peerPhone, clientMessageID: 1, ciphertext: [1, 2, 3, 4])
        #expect(try peer.deliveries(1).map(\.id) == [accepted.id])
        #expect(relay.statistics?.accepted == 1 && relay.statistics?.blocks == 0)

        // Half a frame, then silence: the authentication deadline closes it with 300.
        let halfway = try RelayTestClient(relay.address)
        let hello = try FrameEncoder().encode(.hello(phone: phone, device: Self.device, token: RelayToken(bytes: [UInt8](repeating: 7, count: 32))!))
        try halfway.writeRaw(Array(hello.prefix(20)))
        Self.expectOneError(try halfway.framesUntilClosed(), 300)

        // Pings are answered but do not postpone the deadline.
        let pinger = try RelayTestClient(relay.address)
        let opened = SystemClock().now()
        var pongs = 0
        while SystemClock().now() - opened < .milliseconds(600) {
            if try pinger.request(.ping(nonce: UInt64(pongs))) == .pong(nonce: UInt64(pongs)) { pongs += 1 }
            usleep(100_000)
        }
        #expect(pongs >= 3)
        Self.expectOneError(try pinger.framesUntilClosed(), 300)
        #expect(SystemClock().now() - opened < .seconds(3))

        // Half a frame, then hanging up: the relay forgets the connection.
        let quitter = try RelayTestClient(relay.address)
        try quitter.writeRaw(Array(hello.prefix(20)))
        quitter.close()
        #expect(relay.waitUntil { $0.connectionCount == 2 })
        try relay.expectHonestExchange()
    }

    // MARK: Frames out of order

    @Test func framesOutOfOrderGetTheStateTablesErrors() throws {
        let relay = try RelayTestHost()
        let (_, otherPhone, _) = try relay.registeredClient()
        let id = EnvelopeID(high: 3, low: 4)
        let beforeAuthentication: [(Frame, UInt16)] = [
            (.send(OutgoingEnvelope(recipient: otherPhone, clientMessageID: 1, kind: .user, ciphertext: [1])), 300),
            (.ack(envelopeIDs: [id]), 300),
            (.receipt(Receipt(kind: .read, counterpart: otherPhone, envelopeIDs: [id])), 300),
            (.publishPreKeys(bundles: [[1]]), 300),
            (.fetchPreKeys(owner: otherPhone), 300),
            (.block(blocked: otherPhone, reason: .spam), 300),
            (.report(SpamReport(business: otherPhone, reason: .spam, envelopeID: nil)), 300),
            (.deliver(DeliveredEnvelope(id: id, sender: otherPhone, serverTimeMilliseconds: 1, kind: .user, ciphertext: [1])), 203),
            (.accepted(clientMessageID: 1, envelopeID: id, serverTimeMilliseconds: 1), 203),
            (.registered(token: RelayToken(bytes: [UInt8](repeating: 1, count: 32))!), 203),
            (.welcome, 203),
            (.ok, 203),
        ]
        for (index, (frame, code)) in beforeAuthentication.enumerated() {
            let client = try RelayTestClient(relay.address)
            let requestID = RequestID(rawValue: UInt32(100 + index))
            try client.write(frame, requestID: requestID)
            Self.expectOneError(try client.framesUntilClosed(), code, requestID: requestID, "\(frame.type) before authentication")
        }
        let unknownType = try RelayTestClient(relay.address)
        try unknownType.writeRaw(RelayTestClient.rawFrame(type: 0x3F, requestID: 9, body: [1, 2, 3]))
        Self.expectOneError(try unknownType.framesUntilClosed(), 200, requestID: 9, "unknown type before authentication")

        // A ping is answered in any state; the connection can still authenticate afterwards.
        let early = try RelayTestClient(relay.address)
        #expect(try early.request(.ping(nonce: 42)) == .pong(nonce: 42))
        #expect(try early.framesBeforePong() == [])
        let earlyPhone = relay.makePhone()
        let earlyToken = try early.register(earlyPhone, device: Self.device)

        // Authenticated: refused with the right code, the connection stays.
        let afterAuthentication: [(Frame, UInt16)] = [
            (.deliver(DeliveredEnvelope(id: id, sender: otherPhone, serverTimeMilliseconds: 1, kind: .user, ciphertext: [1])), 203),
            (.ok, 203),
            (.welcome, 203),
            (.hello(phone: earlyPhone, device: Self.device, token: earlyToken), 301),
            (.register(phone: earlyPhone, device: Self.device), 301),
        ]
        for (frame, code) in afterAuthentication {
            let reply = try early.request(frame)
            #expect(reply.relayTestErrorCode == code, "\(frame.type) when authenticated: \(reply)")
        }
        try early.writeRaw(RelayTestClient.rawFrame(type: 0x3F, requestID: 10, body: [1, 2, 3]))
        #expect(try early.reply(to: 10).relayTestErrorCode == 200)
        // An error from a client is logged, never answered.
        try early.write(.error(code: .internalError, message: "client trouble"), requestID: 11)
        #expect(try early.framesBeforePong() == [])
        // The refused register did not replace the token; a new connection with it takes over (303).
        let proof = try RelayTestClient(relay.address)
        #expect(try proof.hello(earlyPhone, device: Self.device, token: earlyToken) == .welcome)
        #expect(try early.framesUntilClosed().map(\.frame.relayTestErrorCode) == [303])

        // Two hellos in one write: welcome, then 301 for the second; the connection stays.
        let twice = try RelayTestClient(relay.address)
        let hello = Frame.hello(phone: earlyPhone, device: Self.device, token: earlyToken)
        let encoder = FrameEncoder()
        try twice.writeRaw(try encoder.encode(hello, requestID: 1) + encoder.encode(hello, requestID: 2))
        #expect(try twice.requireFrame() == DecodedFrame(requestID: 1, frame: .welcome))
        let second = try twice.requireFrame()
        #expect(second.requestID == 2 && second.frame.relayTestErrorCode == 301)
        #expect(try twice.framesBeforePong() == [])
        try relay.expectHonestExchange()
    }

    // MARK: Invalid fields

    @Test func invalidFieldsGet202WithoutEchoingThePeersBytes() throws {
        let relay = try RelayTestHost()
        let (_, peerPhone, _) = try relay.registeredClient()
        let badPhone = Array("+1555ZZZQQQ".utf8)
        // Before authentication: 202 and close.
        let anonymous = try RelayTestClient(relay.address)
        try anonymous.writeRaw(RelayTestClient.rawFrame(type: FrameType.register.rawValue, requestID: 4,
                                                        body: [UInt8(badPhone.count)] + badPhone + [0, 0, 0, 1]))
        let refused = try anonymous.framesUntilClosed()
        Self.expectOneError(refused, 202, requestID: 4)
        if case let .error(_, text)? = refused.first?.frame {
            #expect(!text.contains("ZZZQQQ"), "the error text echoes the peer's bytes: \(text)")
        }

        // Authenticated: 202 for each, the connection stays.
        let (member, _, _) = try relay.registeredClient()
        let phone = [UInt8(peerPhone.e164.utf8.count)] + Array(peerPhone.e164.utf8)
        let invalid: [(String, FrameType, [UInt8])] = [
            ("recipient not E.164", .send, [UInt8(badPhone.count)] + badPhone + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 0, 1, 9]),
            ("user kind with a category", .send, phone + [UInt8](repeating: 0, count: 8) + [1, 3, 0, 0, 0, 1, 9]),
            ("kind 4", .send, phone + [UInt8](repeating: 0, count: 8) + [4, 0, 0, 0, 0, 1, 9]),
            ("empty ciphertext", .send, phone + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0]),
            ("ack of zero ids", .ack, [0, 0]),
            ("block reason 9", .block, phone + [9]),
            ("report flag 2", .report, phone + [1, 2]),
            ("receipt kind 3", .receipt, [3] + phone + [0, 1] + [UInt8](repeating: 1, count: 16)),
            ("zero bundles", .publishPreKeys, [0, 0]),
            ("device 0", .register, phone + [0, 0, 0, 0]),
        ]
        for (index, (name, type, body)) in invalid.enumerated() {
            let requestID = UInt32(40 + index)
            try member.writeRaw(RelayTestClient.rawFrame(type: type.rawValue, requestID: requestID, body: body))
            let reply = try member.reply(to: RequestID(rawValue: requestID))
            #expect(reply.relayTestErrorCode == 202, "\(name): \(reply)")
        }
        #expect(try member.framesBeforePong() == [])
        #expect(relay.statistics?.accepted == 0 && relay.statistics?.blocks == 0 && relay.statistics?.reports == 0)
        try relay.expectHonestExchange()
    }

    // MARK: Oversized bodies

    @Test func bodiesAboveTheirTypesMaximumAreSkippedWith201() throws {
        let relay = try RelayTestHost()
        var random = WireRandom(seed: 77)

        // Before authentication: refused from the header, then closed.
        let anonymous = try RelayTestClient(relay.address)
        try anonymous.writeRaw(RelayTestClient.rawFrame(type: FrameType.hello.rawValue, requestID: 3, body: random.bytes(54)))
        Self.expectOneError(try anonymous.framesUntilClosed(), 201, requestID: 3)

        // Authenticated: each refused, its body skipped, the stream in sync.
        let (member, _, _) = try relay.registeredClient()
        let (peer, peerPhone, _) = try relay.registeredClient()
        let oversized: [(FrameType, Int)] = [
            (.register, 22), (.hello, 54), (.block, 19), (.fetchPreKeys, 18), (.ack, 4_099),
            (.receipt, 4_117), (.ping, 9), (.send, 196_640), (.publishPreKeys, 205_003),
        ]
        for (index, (type, length)) in oversized.enumerated() {
            #expect(type.maximumBodyLength == length - 1, "\(type)")
            let requestID = UInt32(20 + index)
            // A send-shaped start (a valid recipient), so only the length is wrong.
            var body = random.bytes(length)
            if type == .send {
                let phone = Array(peerPhone.e164.utf8)
                body.replaceSubrange(0...phone.count, with: [UInt8(phone.count)] + phone)
            }
            try member.writeRaw(RelayTestClient.rawFrame(type: type.rawValue, requestID: requestID, body: body), timeout: .seconds(10))
            let reply = try member.reply(to: RequestID(rawValue: requestID))
            #expect(reply.relayTestErrorCode == 201, "\(type) with a \(length)-byte body: \(reply)")
        }
        #expect(try member.framesBeforePong() == [])
        #expect(try peer.framesBeforePong() == [])
        #expect(relay.statistics?.accepted == 0)
        let accepted = try member.sendAccepted(to: peerPhone, clientMessageID: 1, ciphertext: [UInt8](repeating: 9, count: WireFormat.maximumCiphertextLength))
        let delivered = try peer.deliveries(1)
        #expect(delivered.map(\.id) == [accepted.id])
        #expect(delivered.first?.ciphertext.count == WireFormat.maximumCiphertextLength)
        try relay.expectHonestExchange()
    }

    // MARK: Silent connections

    @Test func aThousandSilentConnectionsGet300AndAreClosedWhileHonestClientsKeepWorking() throws {
        let silentCount = 1_000
        // Each connection costs two descriptors in this process (client and relay side).
        let limit = try ResourceLimits.raiseOpenFiles(toAtLeast: 2 * silentCount + 512)
        try #require(limit >= 2 * silentCount + 512, "descriptor limit \(limit)")
        let relay = try RelayTestHost(authenticationTimeout: .seconds(1))
        let (alice, alicePhone, _) = try relay.registeredClient()
        let (bob, bobPhone, _) = try relay.registeredClient()

        var silent: [TCPClientSocket] = []
        silent.reserveCapacity(silentCount)
        for _ in 0..<silentCount { silent.append(try TCPClientSocket(connectingTo: relay.address)) }

        // While they are open, the honest pair goes on (a round trip well under the deadline).
        let start = SystemClock().now()
        let sent = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [1, 2, 3])
        #expect(try bob.deliveries(1).map(\.id) == [sent.id])
        #expect(SystemClock().now() - start < .seconds(2))
        try bob.acknowledge([sent.id])

        // Every silent connection: exactly error 300 (request id 0), then end of file.
        var outcomes: [String: Int] = [:]
        for socket in silent {
            let bytes = try socket.receiveUntilEndOfFile(limit: 4096, timeout: .seconds(10))
            var decoder = FrameDecoder()
            decoder.feed(bytes)
            var frames: [DecodedFrame] = []
            while let frame = try decoder.next() { frames.append(frame) }
            let shape = frames.map { "\($0.frame.relayTestErrorCode ?? 0)/\($0.requestID.rawValue)" }.joined(separator: ",")
            outcomes[shape + (decoder.isAtFrameBoundary ? "" : " +partial"), default: 0] += 1
        }
        #expect(outcomes == ["300/0": silentCount])
        #expect(relay.waitUntil { $0.connectionCount == 2 })

        // The honest pair's own connections were not touched.
        let back = try bob.sendAccepted(to: alicePhone, clientMessageID: 1, ciphertext: [4, 5, 6])
        #expect(try alice.deliveries(1).map(\.id) == [back.id])
        #expect(try alice.framesBeforePong() == [])
        #expect(try bob.framesBeforePong() == [])
        try relay.expectHonestExchange()
    }
}
