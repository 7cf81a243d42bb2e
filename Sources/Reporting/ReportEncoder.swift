import HostModel

/// Encodes a Codable value into a `JSONValue` tree with the report's conventions: snake_case keys
/// (as `SnapshotCoding` writes them) and, unlike JSONEncoder, an explicit `null` for every absent
/// optional, so each report has the same shape whatever the host had to say (DESIGN.md:
/// "logical_cpus ... else null") and the schema can require every key. The tree encoder is
/// `JSONTreeEncoder`, which `capture` shares under the snapshot's conventions.
public enum ReportEncoder {
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONTreeEncoder.encode(value, conventions: .report)
    }

    /// `encode(value).serialized()`, written without the `JSONValue` (`JSONTreeEncoder.serialized`).
    public static func serialized(_ value: some Encodable) throws -> String {
        String(decoding: try JSONTreeEncoder.serialized(value, conventions: .report), as: UTF8.self)
    }
}
