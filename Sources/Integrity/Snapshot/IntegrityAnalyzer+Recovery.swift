/// What a restart did to bring the analyzer back.
public struct RecoveryReport: Sendable {
    /// The image restored (`latest` or `previous`) and the log sequence it covered; nil when none
    /// could be used and the state was rebuilt from the start of the log.
    public var restored: (name: String, coveredSequence: Int64)?
    /// Images that could not be used, with why.
    public var unusable: [(name: String, error: SnapshotError)] = []
    /// Log rows applied after the image (or from the start).
    public var replayed = 0
    /// The log's last sequence number: the state now covers it.
    public var coveredSequence: Int64 = 0

    /// One line for people: what was restored, replayed and skipped.
    public var summary: String {
        var line = restored.map { "restored snapshot \($0.name) (covering report \($0.coveredSequence))" } ?? "no usable snapshot: rebuilt from the report log"
        line += ", replayed \(replayed) logged report\(replayed == 1 ? "" : "s")"
        if !unusable.isEmpty { line += "; skipped " + unusable.map { "\($0.name): \($0.error)" }.joined(separator: "; ") }
        return line
    }
}

extension IntegrityAnalyzer {
    /// Brings the analyzer back after a restart: the newest usable snapshot, then every logged
    /// report after it. When no snapshot is usable (none yet, damaged, another format or other
    /// rules), the state is reset, `rebuildBase` re-applies what precedes the log (an event
    /// file, for instance), and the whole log is replayed — a typed error per unusable image is
    /// reported, never a crash.
    public func recover(
        from log: ReportLog, snapshots: AnalyzerSnapshotStore, rebuildBase: () -> Void = {}
    ) throws(ReportLogError) -> RecoveryReport {
        var report = RecoveryReport()
        var start: Int64 = 0
        var restored = false
        for image in try snapshots.images() {
            do throws(SnapshotError) {
                let covered = try AnalyzerSnapshot.header(of: image.bytes)
                try restore(AnalyzerSnapshot(coveredSequence: covered, bytes: image.bytes))
                report.restored = (image.name, covered)
                start = covered
                restored = true
                break
            } catch {
                report.unusable.append((image.name, error))
            }
        }
        if !restored {
            resetState()
            rebuildBase()
        }
        try log.forEach(after: start) { logged in
            ingest(logged.event)
            report.replayed += 1
            report.coveredSequence = logged.sequence
        }
        report.coveredSequence = max(report.coveredSequence, start)
        return report
    }
}
