public import Storage
import Transport

extension BillingCounter {
    /// Rows of `days` as JSON: `{"billing":[{"day","business","category","messages",…}]}`.
    public func json(days: ClosedRange<UTCDay>) -> String {
        let items = rows(in: days).map { row in
            var object = JSONText()
            object.string("day", row.key.day.description)
            object.string("business", "+\(row.key.business)")
            object.string("category", row.key.category.description)
            object.integer("messages", row.totals.messages)
            object.integer("billable_messages", row.totals.billableMessages)
            object.integer("conversations", row.totals.conversations)
            object.integer("billable_conversations", row.totals.billableConversations)
            return object.text
        }
        return "{\"billing\":" + JSONText.array(items) + "}\n"
    }

    /// Rows of `days` as CSV with a header.
    public func csv(days: ClosedRange<UTCDay>) -> String {
        var lines = ["day,business,category,messages,billable_messages,conversations,billable_conversations"]
        for row in rows(in: days) {
            lines.append("\(row.key.day),+\(row.key.business),\(row.key.category),\(row.totals.messages),\(row.totals.billableMessages),\(row.totals.conversations),\(row.totals.billableConversations)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
