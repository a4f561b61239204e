public import Transport

/// A business's `POST /v{N}/{phone-number-id}/messages` body, validated. Text and template
/// messages are supported; anything else is refused with Meta's code 131051.
public struct SendMessageRequest: Sendable, Hashable {
    /// What is sent.
    public enum Content: Sendable, Hashable {
        /// A free-form text (only inside the 24-hour customer-service window).
        case text(body: String, previewURL: Bool)
        /// A template: name, language code, the body parameters' texts in order, and its category.
        case template(name: String, language: String, parameters: [String], category: MessageCategory)
    }

    /// The longest text body Meta accepts.
    public static let maximumTextLength = 4096

    /// `to` as given (echoed in the response's `contacts[].input`).
    public var input: String
    /// The recipient.
    public var recipient: PhoneNumber
    /// The message.
    public var content: Content
    /// `context.message_id`: the message this one replies to, if any.
    public var replyTo: String?
    /// `biz_opaque_callback_data`, echoed in status webhooks.
    public var tracker: String?

    /// Validates a request body.
    public init(body: [UInt8]) throws(GraphError) {
        let fields = Fields(try JSON.object(body))
        let product = try fields.string("messaging_product")
        guard product == "whatsapp" else { throw .invalidParameter("messaging_product must be \"whatsapp\", got \"\(product)\"") }
        if let type = try fields.optionalString("recipient_type"), type != "individual" {
            throw .invalidParameter("recipient_type must be \"individual\", got \"\(type)\"")
        }
        input = try fields.string("to")
        guard let recipient = Self.phoneNumber(input) else {
            throw GraphError(httpStatus: 400, code: 131009, message: "(#131009) Parameter value is not valid",
                             details: "to: '\(input)' is not a phone number in international format")
        }
        self.recipient = recipient
        if fields.object["context"] != nil {
            replyTo = try fields.object("context").optionalString("message_id")
        }
        tracker = try fields.optionalString("biz_opaque_callback_data")
        let type = try fields.optionalString("type") ?? "text"
        switch type {
        case "text":
            let text = try fields.object("text")
            let body = try text.string("body")
            guard !body.isEmpty else { throw .invalidParameter("text.body must not be empty") }
            guard body.count <= Self.maximumTextLength else {
                throw .invalidParameter("text.body is \(body.count) characters; the limit is \(Self.maximumTextLength)")
            }
            content = .text(body: body, previewURL: try text.optionalBool("preview_url") ?? false)
        case "template":
            content = try Self.template(try fields.object("template"))
        default:
            throw GraphError(httpStatus: 400, code: 131051, message: "(#131051) Unsupported message type",
                             details: "message type '\(type)' is not supported by this endpoint (text, template)")
        }
    }

    /// A template's name, language, body parameters and category.
    private static func template(_ template: Fields) throws(GraphError) -> Content {
        let name = try template.string("name")
        guard !name.isEmpty, name.count <= 512 else { throw .invalidParameter("template.name must be 1…512 characters") }
        let language = try template.object("language").string("code")
        var parameters: [String] = []
        for (index, component) in (try template.optionalArray("components") ?? []).enumerated() {
            guard case .object = component else {
                throw .invalidParameter("template.components[\(index)] must be an object")
            }
            let fields = Fields(component, path: "template.components[\(index)]")
            for (position, parameter) in (try fields.optionalArray("parameters") ?? []).enumerated() {
                guard case .object = parameter else {
                    throw .invalidParameter("template.components[\(index)].parameters[\(position)] must be an object")
                }
                let parameterFields = Fields(parameter, path: "template.components[\(index)].parameters[\(position)]")
                if try parameterFields.optionalString("type") ?? "text" == "text" {
                    parameters.append(try parameterFields.string("text"))
                }
            }
        }
        // Meta knows a template's category from its registry; this endpoint has none, so a
        // non-standard `category` field may say it, and marketing is assumed otherwise.
        let categoryName = try template.optionalString("category")?.lowercased() ?? "marketing"
        guard let category = MessageCategory.allCases.first(where: { $0.description == categoryName }),
              category != .service
        else { throw .invalidParameter("template.category must be marketing, utility or authentication") }
        return .template(name: name, language: language, parameters: parameters, category: category)
    }

    /// The category the relay sees: templates carry theirs; free-form text is `service`.
    public var category: MessageCategory {
        switch content {
        case .text: .service
        case let .template(_, _, _, category): category
        }
    }

    /// What the user's phone shows: the text, or the template rendered as its name and parameters.
    public var plaintext: String {
        switch content {
        case let .text(body, _): body
        case let .template(name, language, parameters, _):
            parameters.isEmpty ? "[\(name) · \(language)]" : "[\(name) · \(language)] " + parameters.joined(separator: " · ")
        }
    }

    /// "text" or "template".
    public var type: String {
        if case .text = content { "text" } else { "template" }
    }

    /// A phone number from Meta's `to` (digits with or without `+`, spaces, dashes, parentheses).
    static func phoneNumber(_ text: String) -> PhoneNumber? {
        // The common forms — digits, with or without "+" — go straight to the parser.
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: "+") }) {
            return PhoneNumber(text.hasPrefix("+") ? text : "+" + text)
        }
        let digits = text.filter { !" -().".contains($0) }
        return PhoneNumber(digits.hasPrefix("+") ? digits : "+" + digits)
    }
}
