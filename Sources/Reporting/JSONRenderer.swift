import HostModel

/// The JSON report (schema_version 1, `Data/schema/report.schema.json`): every key present,
/// absent values as explicit nulls, keys sorted, pretty-printed.
public struct JSONRenderer: ReportRenderer {
    public init() {}

    /// The findings and the Popek–Goldberg analysis, half of a report's bytes, are encoded and
    /// written on a thread of their own while this one encodes and writes the rest, then copied
    /// into their places: encoding is the last work of a `check` and nothing else runs beside it,
    /// and the other thread also frees the tree it built (issue 16). Without a thread
    /// (`BackgroundRun` falls back to the caller's), the same text is made in turn.
    public func render(_ report: Report) throws -> String {
        let findings = report.findings, analysis = report.popekGoldberg
        let side = BackgroundRun<[String: [UInt8]]?>(timeoutNanoseconds: JSONRenderer.sideTimeoutNanoseconds, overstayed: { nil }) {
            guard let findings = try? JSONTreeEncoder.serialized(findings, conventions: .report, indent: 1),
                  let analysis = try? JSONTreeEncoder.serialized(analysis, conventions: .report, indent: 1) else { return nil }
            return [JSONRenderer.findingsKey: findings, JSONRenderer.popekGoldbergKey: analysis]
        }
        var rest = report
        rest.findings = []
        rest.popekGoldberg = nil
        guard let whole = try JSONTreeEncoder.serializedObject(rest, conventions: .report, written: { side.wait() }) else {
            return try ReportEncoder.serialized(report) + "\n"
        }
        return String(decoding: whole, as: UTF8.self) + "\n"
    }

    /// The report's keys for the two members encoded beside the rest (`Report.CodingKeys` in
    /// snake_case); `JSONRendererTests` holds that the result is the report encoded whole.
    static let findingsKey = "findings"
    static let popekGoldbergKey = "popek_goldberg"
    /// Encoding takes milliseconds; past this the report is encoded whole on the caller's thread.
    static let sideTimeoutNanoseconds: UInt64 = 5_000_000_000
}
