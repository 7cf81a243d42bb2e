import Foundation

/// The one place that fixes how snapshots and reports look as JSON: snake_case keys,
/// sorted, pretty-printed, slashes unescaped — stable output that diffs well.
public enum SnapshotCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// The encoder's JSON as text, with every C1 and bidi control escaped as `\uXXXX`
    /// (JSONEncoder escapes only C0): the value is unchanged for any JSON reader, but a
    /// terminal or editor showing the file never sees the raw character.
    public static func encode(_ value: some Encodable) throws -> String {
        escapingControls(String(decoding: try encoder().encode(value), as: UTF8.self))
    }

    /// JSON text with C1 and bidi controls escaped. They can only stand inside strings (JSON's
    /// structure is ASCII), where `\u` escapes mean the same character.
    public static func escapingControls(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: InputText.isInert) else { return json }
        var out = ""
        out.unicodeScalars.reserveCapacity(json.unicodeScalars.count)
        for scalar in json.unicodeScalars {
            if InputText.isInert(scalar) && scalar.value >= 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Foundation's `convertToSnakeCase`: `exitLatencyNs` → `exit_latency_ns`, `myURLKey` →
    /// `my_url_key`. Also how a Swift property is named in messages about a file's keys.
    public static func snakeCase(_ key: String) -> String {
        let chars = Array(key)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && nextIsLower) { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
