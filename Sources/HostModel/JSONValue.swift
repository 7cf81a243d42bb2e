/// A JSON document as a value: what `ReportEncoder` produces from a Codable value. Holding the
/// document as a tree lets every command's JSON be written with one stable layout (sorted keys,
/// explicit nulls), and lets the HTML show a whole fact it has no special layout for (a
/// capability set, the emulator's results) in full, as the JSON holds it.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .uint(let u): Double(u)
        case .double(let d): d
        default: nil
        }
    }

    /// A scalar as a person reads it: `true`, `42`, `0x…` stays as the string it was.
    public var scalarText: String? {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .uint(let u): String(u)
        case .double: JSONValue.number(doubleValue ?? 0)
        case .string(let s): s
        case .array, .object: nil
        }
    }

    /// Pretty-printed JSON, keys sorted, two-space indent, slashes unescaped: stable text that diffs well.
    public func serialized() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        write(into: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// The one object layout: `{`, each member on its own line indented a level deeper as
    /// `"key": value`, commas between, `}` at `indent`; `{}` when empty. `sorted` is in key order;
    /// `member` writes each value. `JSONTreeEncoder.serialized` writes its objects with it too.
    static func writeObject<Member>(_ sorted: [(key: String, value: Member)], indent: Int, into out: inout [UInt8],
                                    member: (Member, inout [UInt8]) -> Void) {
        guard !sorted.isEmpty else { return append("{}", into: &out) }
        append("{\n", into: &out)
        for (i, entry) in sorted.enumerated() {
            appendSpaces(2 * (indent + 1), into: &out)
            quote(entry.key, into: &out)
            append(": ", into: &out)
            member(entry.value, &out)
            if i != sorted.count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
        }
        appendSpaces(2 * indent, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The one array layout: `[`, each item on its own line indented a level deeper, commas
    /// between, `]` at `indent`; `[]` when empty. `item` writes each one.
    static func writeArray<Item>(_ items: [Item], indent: Int, into out: inout [UInt8], item: (Item, inout [UInt8]) -> Void) {
        guard !items.isEmpty else { return append("[]", into: &out) }
        append("[\n", into: &out)
        for (i, element) in items.enumerated() {
            appendSpaces(2 * (indent + 1), into: &out)
            item(element, &out)
            if i != items.count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
        }
        appendSpaces(2 * indent, into: &out)
        out.append(UInt8(ascii: "]"))
    }

    /// Written as UTF-8 bytes, not appended to a String piece by piece (each small String append
    /// cost more than the bytes it added; callgrind, issue 16), and the layout's punctuation as
    /// bytes, not through String literals' UTF-8 views (a tenth of the writing).
    func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: JSONValue.append("null", into: &out)
        case .bool(let b): JSONValue.append(b ? "true" : "false", into: &out)
        case .int, .uint, .double: out.append(contentsOf: (scalarText ?? "").utf8)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            JSONValue.writeArray(items, indent: indent, into: &out) { item, out in item.write(into: &out, indent: indent + 1) }
        case .object(let members):
            // Sorted as pairs: sorting the keys and looking each one up again hashed every key twice.
            JSONValue.writeObject(members.sorted { $0.key < $1.key }, indent: indent, into: &out) { value, out in
                value.write(into: &out, indent: indent + 1)
            }
        }
    }

    /// A literal's bytes, copied from the binary as they stand.
    static func append(_ text: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Indentation: `count` spaces, copied from a run of them as far as it reaches.
    static func appendSpaces(_ count: Int, into out: inout [UInt8]) {
        var left = count
        while left > 0 {
            let run = min(left, spaces.count)
            out.append(contentsOf: spaces[..<run])
            left -= run
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    /// Integral values print without a fraction (`1200`, not `1200.0`); others in Swift's shortest
    /// round-trip form, which is valid JSON. Non-finite numbers have no JSON form and print as null.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// The report's quoting: `\"`, `\\`, `\n`, `\r`, `\t`; other C0 controls, DEL, C1 and bidi
    /// controls (`InputText.isInert`) and the JavaScript line separators U+2028/U+2029 as `\uxxxx`.
    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaping(s, into: &out) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: InputText.isInert(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029 ? unicodeEscape(scalar) : nil
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `s` with each scalar that `escape` gives a text for replaced by it; the bytes between are
    /// copied in runs (a string with nothing to escape, as most are, in one), and a scalar is
    /// decoded only where a byte is not printable ASCII. Both JSON layouts' quoting is this. The
    /// loop over every scalar that this replaced appended each one apart, a String each at first:
    /// 3 of the live JSON report's 12 M instructions went to one long string (callgrind, issue 16).
    static func appendEscaping(_ s: String, into out: inout [UInt8], escape: (Unicode.Scalar) -> String?) {
        var s = s
        s.withUTF8 { bytes in
            var run = 0, i = 0
            while i < bytes.count {
                let lead = bytes[i]
                guard lead < 0x20 || lead >= 0x7f || lead == UInt8(ascii: "\"") || lead == UInt8(ascii: "\\") else {
                    i += 1
                    continue
                }
                // A String's bytes are valid UTF-8: the lead byte gives the length.
                let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                var value = UInt32(lead) & (length == 1 ? 0x7F : 0x7F >> length)
                for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
                if let scalar = Unicode.Scalar(value), let text = escape(scalar) {
                    out.append(contentsOf: bytes[run..<i])
                    out.append(contentsOf: text.utf8)
                    run = i + length
                }
                i += length
            }
            out.append(contentsOf: bytes[run...])
        }
    }

    /// `\u` and four or more lowercase hex digits: `\u0085`, `\u202e`.
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension JSONValue: Encodable {
    /// Lets an already-built tree (e.g. the emulator's results) sit inside the Report value.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .uint(let u):
            var c = encoder.singleValueContainer()
            try c.encode(u)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: JSONKey.self)
            for (key, value) in fields { try c.encode(value, forKey: JSONKey(key)) }
        }
    }

    private struct JSONKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
