import Foundation
import Transport

/// An `integrity` notice from the relay (docs/wire.md, "notice"): the number's standing after a
/// change the integrity analyzer made, and the Meta webhook it becomes, if any.
struct IntegrityNotice: Decodable, Equatable, Sendable {
    /// Event time of the change (ms).
    let time: Int64
    /// What changed (`tier_upgraded`, `flagged`, `spam_restricted`, …).
    let change: String
    /// GREEN, YELLOW, RED or NA.
    let qualityRating: String
    /// CONNECTED, FLAGGED or RESTRICTED.
    let status: String
    /// The messaging-limit tier now (`TIER_2K`, …).
    let currentLimit: String
    /// The tier before a tier change.
    let oldLimit: String?
    /// The end of a restriction or block (ms).
    let until: Int64?
    /// The webhook field (`phone_number_quality_update`, `account_update`), if Meta has one.
    let field: String?
    /// The webhook's event (`UPGRADE`, `ACCOUNT_RESTRICTION`, …).
    let event: String?

    enum CodingKeys: String, CodingKey {
        case time = "t", change, status, until, field, event
        case qualityRating = "quality_rating", currentLimit = "current_limit", oldLimit = "old_limit"
    }

    /// The webhook body for `envelope`, or nil when the change has none Meta would send.
    func webhook(_ envelope: WebhookEnvelope) -> [UInt8]? {
        guard let field, let event else { return nil }
        let seconds = time / 1000
        switch field {
        case "phone_number_quality_update":
            return envelope.qualityUpdate(event: event, currentLimit: currentLimit, oldLimit: oldLimit, time: seconds)
        case "account_update":
            return envelope.accountUpdate(event: event, expiration: until.map { $0 / 1000 }, time: seconds)
        default:
            return nil
        }
    }
}

extension CloudAPIEndpoint {
    /// An integrity notice for `state`'s number: its stored standing (what `GET /{phone-number-id}`
    /// answers) follows the analyzer, and a change Meta announces becomes a webhook, stored and
    /// delivered like the message webhooks (signed, retried, durable).
    func received(notice kind: NoticeKind, text: String, for state: BusinessState) {
        guard kind == .integrity else { return }
        let notice: IntegrityNotice
        do {
            notice = try JSONDecoder().decode(IntegrityNotice.self, from: Data(text.utf8))
        } catch {
            lastError = "undecodable integrity notice for \(state.account.phoneNumberID): \(error)"
            return
        }
        statistics.integrityNotices += 1
        state.account.qualityRating = notice.qualityRating
        state.account.status = notice.status
        state.account.messagingLimit = notice.currentLimit
        // The standing changed: what the relay refused before may pass now.
        state.gate.forgetHolds()
        state.gate.perSecond = configuration.sendsPerSecond(atTier: notice.currentLimit)
        do throws(CloudAPIError) {
            try registry.update(state.account)
        } catch {
            lastError = "saving the standing of \(state.account.phoneNumberID): \(error)"
        }
        let account = state.account
        let envelope = WebhookEnvelope(accountID: account.accountID, phoneNumberID: account.phoneNumberID, display: account.phone)
        if let body = notice.webhook(envelope), let store = try? store(for: account) {
            let now = clock.now()
            do throws(MessageStoreError) {
                try store.append(MessageRecord(
                    id: "notice.\(account.phoneNumberID).\(notice.time).\(notice.change)", businessPhoneNumberID: account.phoneNumberID,
                    business: account.phone.e164, consumer: account.phone.e164, direction: .outbound, time: now,
                    kind: "account", payload: body, delivery: DeliveryState(status: .sent, nextAttemptAt: now)))
            } catch {
                lastError = "storing the \(notice.field ?? "") webhook: \(error)"
            }
        }
        whenRecordsCommitted { [weak self] in self?.schedulePump() }
    }
}
