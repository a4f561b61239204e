/// What the demo's people write. Every text gets the run's canary appended (``DemoCanary``), so
/// the audit can look for content anywhere it must not be.
enum DemoScript {
    /// A customer's first message to a business of `role`.
    static func opening(for role: DemoRole, pick: Int) -> String {
        let lines: [String] = switch role {
        case .honestRetailer:
            ["Hi! Is the waxed jacket still available in M?", "Do you ship to Leeds by Friday?", "Can I return boots I bought online in store?"]
        case .coldList:
            ["Hi, is the linen lamp back in stock?", "Do you deliver rugs to Bristol?"]
        case .reportBombingTarget:
            ["Can I order a birthday cake for Saturday?", "Do you have gluten-free bread today?"]
        default:
            ["Hello, are you open on Sunday?", "I'd like to book an appointment for next week", "What are your opening hours?"]
        }
        return lines[pick % lines.count]
    }

    /// A customer's follow-up after the business answered.
    static func followUp(pick: Int) -> String {
        let lines = ["Great, thanks!", "Perfect, I'll take it", "What time do you close today?", "Can I pay by card?"]
        return lines[pick % lines.count]
    }

    /// A business's answer to a customer.
    static func reply(for role: DemoRole, pick: Int) -> String {
        let lines: [String] = switch role {
        case .honestRetailer:
            ["Thanks for your message! Yes, we have it in M, shall I hold one for you?", "Yes, order before 3pm and it ships today."]
        case .reportBombingTarget:
            ["Of course! Which flavour would you like?", "Yes, we bake it fresh every morning."]
        default:
            ["Thanks for reaching out, happy to help.", "Sure, that works for us.", "We're open 9 to 6, see you soon."]
        }
        return lines[pick % lines.count]
    }

    /// The order update ordinary businesses sometimes send after a conversation.
    static let orderUpdate = DemoTemplate(name: "order_update", category: .utility, text: "Your order is confirmed and on its way")

    /// The retailer's flash sale.
    static let flashSale = DemoTemplate(name: "flash_sale", category: .marketing, text: "48-hour flash sale: 30% off everything in store")

    /// The free-form text a cold-list marketer tries before falling back to its template.
    static let coldText = "Hi! We'd love to show you our new collection"
}
