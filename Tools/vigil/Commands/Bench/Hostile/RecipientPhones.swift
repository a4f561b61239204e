import Crypto
import Transport

/// Users' phones for the send-flood attack: each registers on the relay, publishes a prekey
/// bundle (so a Cloud API business can start a session with it), acknowledges every envelope it
/// gets and records its id per sender — the proof that every message the Cloud API answered
/// 200 for reached its user. They do not decrypt: what the check needs is the envelope id,
/// which the Cloud API's `wamid` carries. Loop-confined (their own load thread's loop).
final class RecipientPhones {
    private let loop: EventLoop
    private var phones: [Phone] = []
    /// Envelope ids delivered, per sender.
    private(set) var delivered: [PhoneNumber: Set<EnvelopeID>] = [:]
    /// Phones whose prekeys the relay took.
    private(set) var readyCount = 0
    /// The first thing that went wrong, if anything did.
    private(set) var failure: String?

    init(loop: EventLoop) { self.loop = loop }

    /// Connects `numbers` to the relay at `address`, each publishing one bundle.
    func start(_ numbers: [PhoneNumber], relay address: SocketAddress) throws(CLIError) {
        for number in numbers {
            let phone = Phone(number: number, owner: self)
            phones.append(phone)
            try phone.start(relay: address, on: loop)
        }
    }

    /// Whether every phone is ready.
    var allReady: Bool { readyCount == phones.count }

    /// Closes every link.
    func close() {
        let closing = phones
        phones = []
        for phone in closing { phone.close() }
    }

    fileprivate func phoneBecameReady() { readyCount += 1 }

    fileprivate func record(_ envelope: EnvelopeID, from sender: PhoneNumber) {
        delivered[sender, default: []].insert(envelope)
    }

    fileprivate func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    /// One phone: a relay link and the keys behind its bundle.
    private final class Phone: RelayLinkDelegate {
        let number: PhoneNumber
        private weak var owner: RecipientPhones?
        private var link: RelayLink?

        init(number: PhoneNumber, owner: RecipientPhones) {
            self.number = number
            self.owner = owner
        }

        func start(relay: SocketAddress, on loop: EventLoop) throws(CLIError) {
            let bundle: [UInt8]
            do throws(ProtocolError) {
                var party = try Party()
                bundle = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil).encoded
            } catch {
                throw CLIError("bench: cannot make phone \(number)'s prekey bundle: \(error)")
            }
            guard let device = DeviceID(rawValue: 1) else { throw CLIError("bench: device 1 is invalid") }
            do throws(SystemError) {
                link = try RelayLink(connectingTo: relay, on: loop, credentials: .register(number, device), delegate: self)
            } catch {
                throw CLIError("bench: phone \(number) cannot connect to the relay: \(error)")
            }
            link?.publishPreKeys([bundle]) { [weak self] result in
                guard let self else { return }
                switch result {
                case .success: owner?.phoneBecameReady()
                case let .failure(error): owner?.fail("phone \(number): publishing prekeys: \(error)")
                }
            }
        }

        func close() { link?.close() }

        func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) {
            link.acknowledge(CollectionOfOne(envelope.id))
            owner?.record(envelope.id, from: envelope.sender)
        }

        func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String) {
            owner?.fail("phone \(number): relay error \(code): \(message)")
        }

        func link(_ link: RelayLink, didCloseWith reason: String) {
            guard let owner, owner.phones.contains(where: { $0 === self }) else { return }
            owner.fail("phone \(number): the relay closed its link (\(reason))")
        }
    }
}
