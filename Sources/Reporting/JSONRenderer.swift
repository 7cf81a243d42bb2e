import HostModel

/// The JSON report (schema_version 1, `Data/schema/report.schema.json`): every key present,
/// absent values as explicit nulls, keys sorted, pretty-printed.
public struct JSONRenderer: ReportRenderer {
    public init() {}

    /// The findings and the Popek–Goldberg analysis, half of a report's bytes, are encoded on a
    /// thread of their own while this one encodes the rest, then put in their places: encoding
    /// is the last work of a `check` and nothing else runs beside it (issue 16). Without a thread
    /// (`BackgroundRun` falls back to the caller's), the same tree is built in turn.
    public func render(_ report: Report) throws -> String {
        let findings = report.findings, analysis = report.popekGoldberg
        let side = BackgroundRun<JSONValue?>(timeoutNanoseconds: JSONRenderer.sideTimeoutNanoseconds, overstayed: { nil }) {
            try? JSONValue.object([JSONRenderer.findingsKey: ReportEncoder.encode(findings),
                                   JSONRenderer.popekGoldbergKey: ReportEncoder.encode(analysis)])
        }
        var rest = report
        rest.findings = []
        rest.popekGoldberg = nil
        guard case .object(var members) = try ReportEncoder.encode(rest),
              case .object(let parts)? = side.wait() else {
            return try ReportEncoder.encode(report).serialized() + "\n"
        }
        members.merge(parts) { _, part in part }
        return JSONValue.object(members).serialized() + "\n"
    }

    /// The report's keys for the two members encoded beside the rest (`Report.CodingKeys` in
    /// snake_case); `JSONRendererTests` holds that the result is the report encoded whole.
    static let findingsKey = "findings"
    static let popekGoldbergKey = "popek_goldberg"
    /// Encoding takes milliseconds; past this the report is encoded whole on the caller's thread.
    static let sideTimeoutNanoseconds: UInt64 = 5_000_000_000
}
