/// Who can see which data: the seed's visibility table (DESIGN.md), shown on the dashboard so an
/// operator reads the contract next to the signals it constrains.
public struct VisibilityTable: Sendable, Hashable {
    /// One kind of data and where it may be seen.
    public struct Row: Sendable, Hashable {
        /// The data (`Message content`, …).
        public var data: String
        /// Who holds it.
        public var heldBy: String
        /// Whether, and how, the rest of the platform sees it through exports.
        public var exports: String
        /// Whether, and how, transport and integrity see it.
        public var transportIntegrity: String

        /// A row.
        public init(data: String, heldBy: String, exports: String, transportIntegrity: String) {
            self.data = data
            self.heldBy = heldBy
            self.exports = exports
            self.transportIntegrity = transportIntegrity
        }
    }

    /// The rows, in the order shown.
    public var rows: [Row]

    /// A table of `rows`.
    public init(rows: [Row]) { self.rows = rows }

    /// The seed's table, as DESIGN.md states it.
    public static let seed = VisibilityTable(rows: [
        Row(data: "Message content", heldBy: "CloudAPI store", exports: "no", transportIntegrity: "no"),
        Row(data: "Consumer phone number", heldBy: "CloudAPI; relay for routing", exports: "no",
            transportIntegrity: "yes (pseudonymized inside Integrity)"),
        Row(data: "Non-identifiable statistics", heldBy: "Stats export", exports: "yes (DP + k-threshold)", transportIntegrity: "yes"),
        Row(data: "Integrity signals per business", heldBy: "Integrity", exports: "no", transportIntegrity: "yes"),
        Row(data: "Business information", heldBy: "business directory", exports: "yes", transportIntegrity: "yes"),
        Row(data: "Billing per business", heldBy: "Transport counters", exports: "yes", transportIntegrity: "yes"),
    ])
}
