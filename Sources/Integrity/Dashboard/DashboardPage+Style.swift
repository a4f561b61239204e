extension DashboardPage {
    /// The page's whole stylesheet (inline: the page loads nothing else).
    static let stylesheet = """
        body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;background:#fafafa}
        main{max-width:1360px;margin:0 auto;padding:16px 20px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
        h3{font-size:14px;margin:0 0 6px;font-variant-numeric:tabular-nums}
        .summary{margin:0;color:#616161}.summary .hot{color:#c62828;font-weight:600}
        table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
        th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:middle}
        thead th{background:#f5f5f5;font-weight:600}
        .chip,.badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600;margin-right:4px}
        .badge{color:#fff}
        .meter{display:inline-block;width:60px;height:6px;background:#e0e0e0;margin-left:6px;vertical-align:middle}
        .meter span{display:block;height:6px;background:#1565c0}.meter.full span{background:#c62828}
        .cards{display:flex;flex-wrap:wrap;gap:12px}
        .card{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:8px;width:100%;box-sizing:border-box}
        .card svg{margin-right:4px;vertical-align:top}
        svg text{font:10px system-ui,sans-serif}svg .tick,svg .empty{fill:#616161}
        svg .chart-title{font-size:11px;font-weight:600;fill:#212121}
        svg .band-label{font-size:10px;font-weight:600}
        ul.alerts{list-style:none;padding:0;margin:0}
        li.alert{background:#fff;border:1px solid #e0e0e0;border-left:4px solid #ef6c00;padding:6px 8px;margin-bottom:6px}
        li.alert[data-severity=critical]{border-left-color:#c62828}li.alert[data-status=resolved]{opacity:.6}
        .muted,.more,footer{color:#757575}.empty{color:#757575;font-style:italic}
        .verdict-yes{background:#e8f5e9}.verdict-no{background:#ffebee}
        footer{margin:24px 0 8px;font-size:12px}
        """
}
