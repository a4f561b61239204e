@testable import Integrity
import Storage
import Testing
import Transport

@Suite struct BillingCounterTests {
    let business = ExportFixture.business(0)
    let user = ExportFixture.user(1)
    let hour = Fixture.hour

    func totals(_ events: [IntegrityEvent], _ category: MessageCategory, day: Int = 0) -> BillingTotals? {
        let billing = ExportFixture.aggregator(events).billing
        return billing.rows[BillingKey(day: ExportFixture.day0.advanced(by: day), business: business.digits, category: category)]
    }

    func b2u(_ time: Int64, _ category: MessageCategory?) -> IntegrityEvent {
        ExportFixture.message(ExportFixture.t0 + time, business: business, user: user, category: category)
    }

    func u2b(_ time: Int64) -> IntegrityEvent {
        ExportFixture.message(ExportFixture.t0 + time, business: business, user: user, direction: .userToBusiness)
    }

    @Test func marketingMessagesAreBillableAndOneWindowIsOneConversation() {
        let rows = totals([b2u(0, .marketing), b2u(hour, .marketing), b2u(23 * hour, .marketing)], .marketing)
        #expect(rows == BillingTotals(messages: 3, billableMessages: 3, conversations: 1, billableConversations: 1))
    }

    @Test func aNewConversationOpensAfterTwentyFourHours() {
        let events = [b2u(0, .marketing), b2u(2 * hour, .marketing), b2u(24 * hour, .marketing)]
        #expect(totals(events, .marketing)?.conversations == 1)
        #expect(totals(events, .marketing, day: 1) == BillingTotals(messages: 1, billableMessages: 1, conversations: 1, billableConversations: 1))
    }

    @Test func utilityIsFreeInsideTheCustomerServiceWindow() {
        let events = [u2b(0), b2u(hour, .utility), b2u(25 * hour, .utility)]
        #expect(totals(events, .utility)?.billableMessages == 0)
        #expect(totals(events, .utility, day: 1)?.billableMessages == 1)
    }

    @Test func serviceAndUncategorizedAreNeverBillable() {
        let rows = totals([u2b(0), b2u(hour, .service), b2u(2 * hour, nil)], .service)
        #expect(rows == BillingTotals(messages: 2, billableMessages: 0, conversations: 1, billableConversations: 0))
    }

    @Test func categoriesHaveTheirOwnConversations() {
        let events = [b2u(0, .marketing), b2u(hour, .authentication), b2u(2 * hour, .marketing)]
        #expect(totals(events, .marketing)?.conversations == 1)
        #expect(totals(events, .authentication)?.conversations == 1)
    }

    @Test func rendersCSVAndJSONWithTheBusinessNumber() {
        let billing = ExportFixture.aggregator([b2u(0, .marketing)]).billing
        let days = ExportFixture.day0...ExportFixture.day0
        #expect(billing.csv(days: days) == "day,business,category,messages,billable_messages,conversations,billable_conversations\n2023-11-29,+14155550100,marketing,1,1,1,1\n")
        #expect(billing.json(days: days) == #"{"billing":[{"day":"2023-11-29","business":"+14155550100","category":"marketing","messages":1,"billable_messages":1,"conversations":1,"billable_conversations":1}]}"# + "\n")
        #expect(!billing.csv(days: days).contains(String(user.digits)))
    }
}

extension BillingTotals {
    init(messages: Int, billableMessages: Int, conversations: Int, billableConversations: Int) {
        self.init()
        self.messages = messages
        self.billableMessages = billableMessages
        self.conversations = conversations
        self.billableConversations = billableConversations
    }
}
