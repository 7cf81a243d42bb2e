import FoundationEssentials
import Glibc

/// The one place that fixes how snapshots and reports look as JSON: snake_case keys,
/// sorted, pretty-printed, slashes unescaped — stable output that diffs well.
public enum SnapshotCoding {
    /// Foundation's JSONEncoder as snapshots were always written with it: the reference that
    /// `encode` is held to byte for byte (SnapshotEncodingTests), and what tests write fixtures with.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// A snapshot (or any Codable value) as the JSON text `encoder()` writes, with every C1 and
    /// bidi control escaped as `\uXXXX` besides (JSONEncoder escapes only C0): the value is
    /// unchanged for any JSON reader, but a terminal or editor showing the file never sees the raw
    /// character. Written in place through `JSONTreeEncoder`: JSONEncoder was 36 M of `capture`'s
    /// 84 M instructions (callgrind, issue 16).
    public static func encode(_ value: some Encodable) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 17)
        write(try JSONTreeEncoder.encode(value, conventions: .snapshot), into: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// JSONEncoder's pretty layout (swift-foundation's JSONWriter): two-space indent, `"key" : value`,
    /// keys sorted by their UTF-8 bytes, and an empty array or object opened and closed on lines of
    /// its own (`[`, an empty line, `]`), unlike `JSONValue.serialized`'s report layout.
    static func write(_ value: JSONValue, into out: inout [UInt8], indent: Int) {
        switch value {
        case .null: JSONValue.append("null", into: &out)
        case .bool(let b): JSONValue.append(b ? "true" : "false", into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .uint(let u): out.append(contentsOf: String(u).utf8)
        case .double(let d): out.append(contentsOf: number(d).utf8)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            JSONValue.append("[\n", into: &out)
            for (i, item) in items.enumerated() {
                if i > 0 { JSONValue.append(",\n", into: &out) }
                JSONValue.appendSpaces(2 * (indent + 1), into: &out)
                write(item, into: &out, indent: indent + 1)
            }
            out.append(UInt8(ascii: "\n"))
            JSONValue.appendSpaces(2 * indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            JSONValue.append("{\n", into: &out)
            // Sorted as pairs, not keys looked up again (each hashed twice; issue 16).
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { JSONValue.append(",\n", into: &out) }
                JSONValue.appendSpaces(2 * (indent + 1), into: &out)
                quote(member.key, into: &out)
                JSONValue.append(" : ", into: &out)
                write(member.value, into: &out, indent: indent + 1)
            }
            out.append(UInt8(ascii: "\n"))
            JSONValue.appendSpaces(2 * indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// JSONEncoder's number: Swift's shortest round-trip form, an integral value without its `.0`.
    static func number(_ d: Double) -> String {
        let text = d.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A string as JSONEncoder quotes it (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other C0
    /// controls as `\u00xx`; `/` as it is), and DEL, C1 and bidi controls (`InputText.isInert`) as
    /// `\uxxxx`. Keys and values alike: JSON's structure is ASCII, so these stand only in strings.
    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        defer { out.append(UInt8(ascii: "\"")) }
        JSONValue.appendEscaping(s, into: &out) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\u{08}": "\\b"
            case "\u{0C}": "\\f"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: InputText.isInert(scalar) ? JSONValue.unicodeEscape(scalar) : nil
            }
        }
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
        // Decided on the key's own bytes, and a key without an inner underscore (most of a
        // snapshot's: `eax`, `leaf`, `value`) returned as it is without a copy (issue 16).
        var key = key
        return key.withUTF8(convertedFromSnakeCase) ?? key
    }

    /// `convertFromSnakeCase` of a key's UTF-8, or nil where the key stays as it is.
    private static func convertedFromSnakeCase(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: "_") }),
              let last = bytes.lastIndex(where: { $0 != UInt8(ascii: "_") }),
              bytes[first...last].contains(UInt8(ascii: "_")),
              bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        func lower(_ c: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) ? c | 0x20 : c }
        func upper(_ c: UInt8) -> UInt8 { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) ? c & ~0x20 : c }
        func isLetter(_ c: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower(c)) }
        var out = Array(bytes[..<first])
        out.reserveCapacity(bytes.count)
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
