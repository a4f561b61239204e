import Transport

extension PlatformRelease {
    /// The release as one JSON document: `{"metadata":{…},"cells":[…]}`. `noiseSource` names the
    /// generator (`os`, or a seed — which makes the release non-private and says so).
    public func json(noiseSource: String = "os") -> String {
        var document = JSONText()
        document.object("metadata", metadataJSON(noiseSource: noiseSource))
        document.raw("cells", JSONText.array(cells.map(Self.cellJSON)))
        return document.text + "\n"
    }

    /// The release as CSV: `# key: value` metadata lines, a header, one row per released cell.
    public func csv(noiseSource: String = "os") -> String {
        var lines = metadataLines(noiseSource: noiseSource).map { "# \($0.0): \($0.1)" }
        lines.append(Self.csvHeader.joined(separator: ","))
        for cell in cells {
            var row = [cell.cell.day.description, cell.cell.dimension.description, cell.cell.valueName,
                       String(cell.users), String(cell.businesses), String(cell.sent), String(cell.delivered), String(cell.read)]
            row += cell.blocks.map(String.init) + cell.reports.map(String.init)
            row += (cell.sizeQuantiles + cell.latencyQuantiles).map { $0.map(String.init) ?? "" }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The CSV column names.
    public static var csvHeader: [String] {
        ["day", "dimension", "value", "users", "businesses", "sent", "delivered", "read"]
            + BlockReason.allCases.map { "blocks_\($0)" } + ReportReason.allCases.map { "reports_\($0)" }
            + ["size_p50_bytes", "size_p90_bytes", "size_p99_bytes", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms"]
    }

    private static func cellJSON(_ cell: Cell) -> String {
        var object = JSONText()
        object.string("day", cell.cell.day.description)
        object.string("dimension", cell.cell.dimension.description)
        object.string("value", cell.cell.valueName)
        object.integer("users", cell.users)
        object.integer("businesses", cell.businesses)
        object.integer("sent", cell.sent)
        object.integer("delivered", cell.delivered)
        object.integer("read", cell.read)
        var blocks = JSONText()
        for (reason, count) in zip(BlockReason.allCases, cell.blocks) { blocks.integer(reason.description, count) }
        object.object("blocks", blocks)
        var reports = JSONText()
        for (reason, count) in zip(ReportReason.allCases, cell.reports) { reports.integer(reason.description, count) }
        object.object("reports", reports)
        object.object("size_bytes", quantileJSON(cell.sizeQuantiles))
        object.object("latency_ms", quantileJSON(cell.latencyQuantiles))
        return object.text
    }

    private static func quantileJSON(_ values: [Int64?]) -> JSONText {
        var object = JSONText()
        for (q, value) in zip(["p50", "p90", "p99"], values) { object.optional(q, value) }
        return object
    }

    private func metadataJSON(noiseSource: String) -> JSONText {
        let meta = metadata
        var object = JSONText()
        object.string("audience", "platform")
        object.string("from", meta.days.lowerBound.description)
        object.string("to", meta.days.upperBound.description)
        object.string("privacy_unit", "user-day")
        object.string("mechanism", meta.parameters.noise == .laplace ? "discrete_laplace" : "discrete_gaussian")
        object.raw("epsilon", meta.parameters.epsilon.description)
        object.raw("delta", meta.parameters.delta.description)
        object.integer("k", meta.parameters.k)
        object.integer("tau", meta.threshold.tau)
        object.string("selection", "release iff users >= k and (users - (k - 1)) + \(NoiseMechanism.laplace(meta.threshold.noise).summary) >= tau")
        var caps = JSONText()
        caps.integer("per_partition", meta.parameters.bounds.perPartition)
        caps.integer("partitions_per_dimension", meta.parameters.bounds.partitionsPerDimension)
        caps.integer("cells_per_user_day", meta.parameters.bounds.cellsPerUser)
        object.object("caps", caps)
        var queries: [String] = []
        for query in [meta.plan.selection] + meta.plan.metrics {
            var entry = JSONText()
            entry.string("name", query.name)
            entry.raw("epsilon", query.epsilon.description)
            entry.raw("delta", query.delta.description)
            entry.integer("l1_sensitivity", query.l1)
            entry.number("l2_sensitivity", query.l2)
            let noise = query.name == meta.plan.selection.name ? NoiseMechanism.laplace(meta.threshold.noise) : meta.mechanisms[query.name]
            entry.string("noise", noise?.summary ?? "")
            queries.append(entry.text)
        }
        object.raw("queries", JSONText.array(queries))
        object.raw("dimensions", JSONText.array(StatisticsDimension.allCases.map { JSONText.quote($0.description) }))
        object.integer("released_cells", meta.releasedCells)
        object.integer("suppressed_cells", meta.suppressedCells)
        if let budget = meta.budget {
            var ledger = JSONText()
            ledger.string("dataset", budget.dataset)
            ledger.raw("epsilon_per_day", budget.budget.epsilon.description)
            ledger.raw("delta_per_day", budget.budget.delta.description)
            ledger.raw("remaining_epsilon", budget.remainingEpsilon.description)
            ledger.raw("remaining_delta", budget.remainingDelta.description)
            object.object("budget", ledger)
        }
        object.string("noise_source", noiseSource)
        return object
    }

    private func metadataLines(noiseSource: String) -> [(String, String)] {
        let meta = metadata
        var lines: [(String, String)] = [
            ("audience", "platform"), ("from", meta.days.lowerBound.description), ("to", meta.days.upperBound.description),
            ("privacy_unit", "user-day"), ("mechanism", meta.parameters.noise == .laplace ? "discrete_laplace" : "discrete_gaussian"),
            ("epsilon", meta.parameters.epsilon.description), ("delta", meta.parameters.delta.description),
            ("k", String(meta.parameters.k)), ("tau", String(meta.threshold.tau)),
            ("caps", "per_partition=\(meta.parameters.bounds.perPartition) partitions_per_dimension=\(meta.parameters.bounds.partitionsPerDimension) cells_per_user_day=\(meta.parameters.bounds.cellsPerUser)"),
        ]
        for query in [meta.plan.selection] + meta.plan.metrics {
            let noise = query.name == meta.plan.selection.name ? NoiseMechanism.laplace(meta.threshold.noise) : meta.mechanisms[query.name]
            lines.append(("query", "\(query.name) epsilon=\(query.epsilon) delta=\(query.delta) l1=\(query.l1) noise=\(noise?.summary ?? "")"))
        }
        lines.append(("released_cells", String(meta.releasedCells)))
        lines.append(("suppressed_cells", String(meta.suppressedCells)))
        if let budget = meta.budget {
            lines.append(("budget", "dataset=\(budget.dataset) epsilon_per_day=\(budget.budget.epsilon) delta_per_day=\(budget.budget.delta) remaining_epsilon=\(budget.remainingEpsilon) remaining_delta=\(budget.remainingDelta)"))
        }
        lines.append(("noise_source", noiseSource))
        return lines
    }
}
