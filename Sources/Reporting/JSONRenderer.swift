/// The JSON report (schema_version 1, `Data/schema/report.schema.json`): every key present,
/// absent values as explicit nulls, keys sorted, pretty-printed.
public struct JSONRenderer: ReportRenderer {
    public init() {}

    public func render(_ report: Report) throws -> String {
        try ReportEncoder.encode(report).serialized() + "\n"
    }
}
