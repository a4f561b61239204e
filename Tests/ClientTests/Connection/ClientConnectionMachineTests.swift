import Client
import Testing
import Transport

/// One line per transition of the client's connection machine.
@Suite struct ClientConnectionMachineTests {
    static func delivered() throws -> DeliveredEnvelope {
        DeliveredEnvelope(id: Fixture.envelopeID(1), sender: try Fixture.phone("+14155550102"), serverTimeMilliseconds: 5, kind: .user, ciphertext: [2, 3])
    }

    @Test func requestIDsAreFreshAndNeverZero() {
        var machine = ClientConnectionMachine()
        let ids = (0..<5).map { _ in machine.startRequest(.send) }
        #expect(Set(ids).count == 5)
        #expect(!ids.contains(.zero))
        #expect(machine.outstanding?.requestID == ids.last)
    }

    @Test func theMatchingReplyCompletesTheRequest() throws {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.send)
        let accepted = Frame.accepted(clientMessageID: 7, envelopeID: Fixture.envelopeID(3), serverTimeMilliseconds: 9)
        #expect(machine.receive(DecodedFrame(requestID: id, frame: accepted)) == .reply(accepted))
        #expect(machine.outstanding == nil)
    }

    @Test func aReplyWithAnotherIDIsDropped() {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.block)
        #expect(machine.receive(DecodedFrame(requestID: RequestID(rawValue: id.rawValue &+ 1), frame: .ok)) == .ignore)
        #expect(machine.outstanding?.requestID == id)
    }

    @Test func anErrorWithTheRequestsIDRefusesIt() {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.fetchPreKeys)
        let action = machine.receive(DecodedFrame(requestID: id, frame: .error(code: .noPreKeys, message: "no prekey bundle")))
        #expect(action == .refused(code: .noPreKeys, message: "no prekey bundle"))
        #expect(machine.outstanding == nil)
    }

    @Test func aReplyOfTheWrongTypeIsReported() {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.fetchPreKeys)
        #expect(machine.receive(DecodedFrame(requestID: id, frame: .ok)) == .unexpectedReply(.ok))
    }

    @Test func deliveriesReceiptsAndUnsolicitedErrorsBecomeEvents() throws {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.send)
        let envelope = try Self.delivered()
        #expect(machine.receive(DecodedFrame(requestID: .zero, frame: .deliver(envelope))) == .event(.deliver(envelope)))
        let receipt = Receipt(kind: .read, counterpart: try Fixture.phone("+14155550102"), envelopeIDs: [Fixture.envelopeID(4)])
        #expect(machine.receive(DecodedFrame(requestID: .zero, frame: .receipt(receipt))) == .event(.receipt(receipt)))
        #expect(machine.receive(DecodedFrame(requestID: .zero, frame: .error(code: .replaced, message: "x")))
            == .event(.error(code: .replaced, message: "x")))
        #expect(machine.outstanding?.requestID == id) // still waiting
    }

    @Test func pingsAreAnsweredWithTheSameNonceAndID() {
        var machine = ClientConnectionMachine()
        #expect(machine.receive(DecodedFrame(requestID: 42, frame: .ping(nonce: 0xABCD))) == .send(.pong(nonce: 0xABCD), requestID: 42))
    }

    @Test func aClientOnlyFrameFromTheRelayIsAnsweredWith203() throws {
        var machine = ClientConnectionMachine()
        let action = machine.receive(DecodedFrame(requestID: 3, frame: .fetchPreKeys(owner: try Fixture.phone("+14155550102"))))
        guard case let .send(.error(code, _), requestID) = action else { Issue.record("expected an error answer, got \(action)"); return }
        #expect(code == .wrongDirection)
        #expect(requestID == 3)
    }

    @Test func aRecoverableDecodingErrorIsAnsweredAndTheStreamContinues() throws {
        var machine = ClientConnectionMachine()
        var decoder = FrameDecoder()
        // An unknown frame type 0x7F with an empty body.
        decoder.feed([0, 0, 0, 6, 1, 0x7F, 0, 0, 0, 9])
        do {
            _ = try decoder.next()
            Issue.record("the decoder must refuse type 0x7F")
        } catch {
            guard case let .send(.error(code, _), requestID) = machine.decodingFailed(error) else {
                Issue.record("expected an error answer"); return
            }
            #expect(code == .unknownFrameType)
            #expect(requestID == 9)
            #expect(!machine.isClosed)
        }
    }

    @Test func aFramingErrorClosesTheConnection() {
        var machine = ClientConnectionMachine()
        var decoder = FrameDecoder()
        decoder.feed([0, 0, 0, 6, 2, 0x86, 0, 0, 0, 0]) // version 2
        do {
            _ = try decoder.next()
            Issue.record("the decoder must refuse version 2")
        } catch {
            guard case .close(.error(code: .unsupportedVersion, _)?, _) = machine.decodingFailed(error) else {
                Issue.record("expected close with 102"); return
            }
            #expect(machine.isClosed)
            #expect(machine.receive(DecodedFrame(requestID: .zero, frame: .ok)) == .ignore)
        }
    }

    @Test func aMalformedErrorFrameIsNeverAnsweredWithAnError() {
        var machine = ClientConnectionMachine()
        var decoder = FrameDecoder()
        // An error frame whose text length says 5 but carries 1 byte.
        decoder.feed([0, 0, 0, 11, 1, 0x41, 0, 0, 0, 0, 0, 200, 0, 5, 0x61])
        do {
            _ = try decoder.next()
            Issue.record("the decoder must refuse the truncated error frame")
        } catch {
            #expect(machine.decodingFailed(error) == .ignore)
        }
    }

    @Test func aMalformedReplyFailsTheRequest() {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.send)
        var decoder = FrameDecoder()
        // An `accepted` with a 1-byte body (needs 32).
        decoder.feed([0, 0, 0, 7, 1, 0x84] + withUnsafeBytes(of: id.rawValue.bigEndian) { Array($0) } + [0])
        do {
            _ = try decoder.next()
            Issue.record("the decoder must refuse the short accepted")
        } catch {
            guard case let .malformedReply(_, answer?, requestID) = machine.decodingFailed(error) else {
                Issue.record("expected a malformed reply"); return
            }
            #expect(requestID == id)
            #expect(answer.type == .error)
            #expect(machine.outstanding == nil)
            #expect(!machine.isClosed)
        }
    }

    @Test func anAbandonedRequestsLateReplyIsDropped() {
        var machine = ClientConnectionMachine()
        let id = machine.startRequest(.block)
        machine.abandonRequest()
        #expect(machine.receive(DecodedFrame(requestID: id, frame: .ok)) == .ignore)
    }
}
