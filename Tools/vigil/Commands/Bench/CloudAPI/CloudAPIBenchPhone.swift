import Crypto
import Transport

/// A user's phone in the benchmark: the Client module's job reduced to what the load needs — a
/// relay link, a protocol party (X3DH + Double Ratchet, as on a real phone), decryption of every
/// envelope from its business, and encryption of its own messages to it. Loop-confined (the load
/// generator's loop).
final class CloudAPIBenchPhone: RelayLinkDelegate {
    /// Its number.
    let number: PhoneNumber
    /// The flow it belongs to (its index).
    let flow: Int
    /// The business it talks to.
    let business: PhoneNumber
    private var party: Party
    private var link: RelayLink?
    private weak var generator: CloudAPILoadGenerator?
    private var nextClientMessageID: UInt64 = 1
    /// Set once its link authenticated and its prekeys were published.
    private(set) var isReady = false
    /// Whether its link is open (or opening).
    var isConnected: Bool { link.map { $0.state != .closed } ?? false }

    init(number: PhoneNumber, flow: Int, business: PhoneNumber, generator: CloudAPILoadGenerator) throws(CLIError) {
        self.number = number
        self.flow = flow
        self.business = business
        self.generator = generator
        do throws(ProtocolError) {
            party = try Party()
        } catch {
            throw CLIError("bench: cannot create a phone's keys: \(error)")
        }
    }

    /// Connects and registers; publishes one (last-resort) prekey bundle.
    func start(relay: SocketAddress, on loop: EventLoop) throws(CLIError) {
        do throws(SystemError) {
            link = try RelayLink(connectingTo: relay, on: loop, credentials: .register(number, DeviceID(rawValue: 1)!), delegate: self)
        } catch {
            throw CLIError("bench: phone \(number) cannot connect to the relay: \(error)")
        }
        let bundle: [UInt8]
        do throws(ProtocolError) {
            bundle = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil).encoded
        } catch {
            throw CLIError("bench: cannot make a prekey bundle: \(error)")
        }
        link?.publishPreKeys([bundle]) { [weak self] result in
            guard let self else { return }
            if case let .failure(error) = result {
                self.generator?.fail("phone \(self.number): publishing prekeys: \(error)")
            } else {
                self.isReady = true
                self.generator?.phoneBecameReady()
            }
        }
    }

    /// Whether it has a session with its business (after its priming message).
    var hasSession: Bool { party.conversations[business.e164] != nil }

    /// Starts the session from the business's published bundle and sends the priming message;
    /// retried (every 100 ms, up to `attempts`) while the business has published no prekeys yet.
    func prime(text: [UInt8], attempts: Int = 100) {
        guard let link else { return }
        link.fetchPreKeys(of: business) { [weak self] result in
            guard let self else { return }
            switch result {
            case let .success(bytes):
                do throws(ProtocolError) {
                    if party.conversations[business.e164] == nil {
                        try party.initiate(with: business.e164, bundle: try PreKeyBundle(encoded: bytes))
                    }
                } catch {
                    generator?.fail("phone \(number): the business's bundle: \(error)")
                    return
                }
                send(text)
            case let .failure(error):
                guard attempts > 1 else {
                    generator?.fail("phone \(number): fetching the business's prekeys: \(error)")
                    return
                }
                _ = link.loop.scheduleTimer(after: .milliseconds(100)) { [weak self] in self?.prime(text: text, attempts: attempts - 1) }
            }
        }
    }

    /// Encrypts `text` for the business and sends it as a user message.
    func send(_ text: [UInt8]) {
        guard let link else { return }
        let envelope: SessionEnvelope
        do throws(ProtocolError) {
            envelope = try party.encrypt(text, for: business.e164)
        } catch {
            generator?.fail("phone \(number): encrypting: \(error)")
            return
        }
        let id = nextClientMessageID
        nextClientMessageID += 1
        link.send(OutgoingEnvelope(recipient: business, clientMessageID: id, kind: .user, ciphertext: envelope.encoded)) { [weak self] result in
            if case let .failure(error) = result, let self { self.generator?.fail("phone \(self.number): the relay refused a send: \(error)") }
        }
    }

    /// Closes the link.
    func close() { link?.close() }

    // MARK: RelayLinkDelegate

    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) {
        let plaintext: [UInt8]
        do throws(ProtocolError) {
            let peer = envelope.sender.e164
            plaintext = try party.decrypt(try party.envelope(decoding: envelope.ciphertext, from: peer), from: peer)
        } catch {
            generator?.fail("phone \(number): cannot decrypt an envelope from \(envelope.sender): \(error)")
            return
        }
        link.acknowledge(CollectionOfOne(envelope.id))
        guard let text = CloudAPIBenchText.parse(plaintext), text.direction == .outbound else {
            generator?.fail("phone \(number): unexpected plaintext \(String(decoding: plaintext.prefix(40), as: UTF8.self))")
            return
        }
        generator?.outboundDelivered(text, to: flow)
    }

    func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String) {
        generator?.fail("phone \(number): relay error \(code): \(message)")
    }

    func link(_ link: RelayLink, didCloseWith reason: String) {
        generator?.endpointClosed("phone \(number)", reason: reason)
    }
}
