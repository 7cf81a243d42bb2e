/// Renders the typed report into one format. Every format reads the same `Report` value (none
/// re-reads another format's output), which is what keeps the formats agreeing with each other
/// and, through `Report.gate`, with the exit code.
public protocol ReportRenderer: Sendable {
    func render(_ report: Report) throws -> String
}
