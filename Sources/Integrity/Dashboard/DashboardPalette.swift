/// The dashboard's colours, one place for the charts' SVG attributes and the page's CSS.
enum DashboardPalette {
    /// The colour of a quality rating.
    static func color(of rating: QualityRating) -> String {
        switch rating {
        case .green: "#2e7d32"
        case .yellow: "#f9a825"
        case .red: "#c62828"
        case .unknown: "#9e9e9e"
        }
    }

    /// The colour of a number status.
    static func color(of status: NumberStatus) -> String {
        switch status {
        case .connected: "#2e7d32"
        case .flagged: "#ef6c00"
        case .restricted: "#c62828"
        }
    }

    /// The colour of a tier: darker blues for higher limits.
    static func color(of tier: MessagingTier) -> String {
        switch tier {
        case .tier250: "#bbdefb"
        case .tier2K: "#90caf9"
        case .tier10K: "#42a5f5"
        case .tier100K: "#1e88e5"
        case .unlimited: "#0d47a1"
        }
    }

    /// Text that reads on `background` (one of the colours above).
    static func textColor(on background: String) -> String {
        ["#bbdefb", "#90caf9", "#f9a825"].contains(background) ? "#212121" : "#ffffff"
    }

    /// Line colours of the charts.
    static let primaryLine = "#1565c0"
    static let secondaryLine = "#8e24aa"
    static let limitLine = "#c62828"
    static let blockLine = "#ef6c00"
    static let reportLine = "#6d4c41"

    /// The colour of an alert severity.
    static func color(of severity: Alert.Severity) -> String {
        switch severity {
        case .warning: "#ef6c00"
        case .critical: "#c62828"
        }
    }
}
