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
        // Every character to escape here is DEL or non-ASCII: pure ASCII text (most snapshots) is
        // returned as it is without a scalar-by-scalar copy (a quarter of `capture`'s
        // instructions before; callgrind, issue 16). The C0 controls are the encoder's business.
        guard json.utf8.contains(where: { $0 >= 0x7f }) else { return json }
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
        // Every key of every Codable type here is ASCII: decided on bytes, not on Characters and
        // their Unicode properties (every key of every report goes through here; issue 16).
        if key.utf8.allSatisfy({ $0 < 0x80 }) {
            func isUpper(_ c: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) }
            func isLower(_ c: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) }
            func isDigit(_ c: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }
            guard key.utf8.contains(where: isUpper) else { return key }
            let bytes = Array(key.utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 4)
            for (i, c) in bytes.enumerated() {
                guard isUpper(c) else {
                    out.append(c)
                    continue
                }
                if i > 0 {
                    let prev = bytes[i - 1]
                    let nextIsLower = i + 1 < bytes.count && isLower(bytes[i + 1])
                    if isLower(prev) || isDigit(prev) || (isUpper(prev) && nextIsLower) { out.append(UInt8(ascii: "_")) }
                }
                out.append(c | 0x20)
            }
            return String(decoding: out, as: UTF8.self)
        }
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

    /// A snapshot (or a child's answer) from its JSON: `JSONReader` (strict, depth-bounded) with
    /// each key converted as it is read, then `JSONTreeDecoder`. Text that is not JSON throws
    /// `DecodingError.dataCorrupted` at the top level, as JSONDecoder did, so the callers' one-line
    /// messages stay. Replaces JSONDecoder with `.convertFromSnakeCase`, which cost `check --from`
    /// most of its instructions (callgrind, issue 16).
    public static func decode<T: Decodable>(_ type: T.Type, from json: some Collection<UInt8>) throws -> T {
        let tree: JSONValue
        do {
            tree = try JSONReader.parse(json, keys: convertFromSnakeCase)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: error.description))
        }
        return try T(from: JSONTreeDecoder(tree))
    }

    /// Foundation's `convertFromSnakeCase`, which snapshots were always read with: `exit_latency_ns`
    /// → `exitLatencyNs`; the first word lower case, each later one capitalised (its first letter
    /// upper case, even after digits: `ept_5level` → `ept5Level`, see `VMXFacts`), underscores at
    /// either end kept; a key without an inner underscore stays as it is. Keys are ASCII in every
    /// snapshot; a key with other characters is kept as it is (it names no Swift property).
    public static func convertFromSnakeCase(_ key: String) -> String {
        let bytes = Array(key.utf8)
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: "_") }),
              let last = bytes.lastIndex(where: { $0 != UInt8(ascii: "_") }),
              bytes[first...last].contains(UInt8(ascii: "_")),
              bytes.allSatisfy({ $0 < 0x80 }) else { return key }
        func lower(_ c: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) ? c | 0x20 : c }
        func upper(_ c: UInt8) -> UInt8 { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) ? c & ~0x20 : c }
        func isLetter(_ c: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower(c)) }
        var out = Array(bytes[..<first])
        for (n, word) in bytes[first...last].split(separator: UInt8(ascii: "_")).enumerated() {
            var capitalise = n > 0
            for c in word {
                if capitalise && isLetter(c) {
                    out.append(upper(c))
                    capitalise = false
                } else {
                    out.append(lower(c))
                }
            }
        }
        out += bytes[(last + 1)...]
        return String(decoding: out, as: UTF8.self)
    }
}
