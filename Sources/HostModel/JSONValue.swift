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

    /// The bytes `serialized()` writes for this value as a member of a top-level object (its
    /// lines indented one level), to be given to `serializedObject(_:written:)`.
    public func serializedMember() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out, indent: 1)
        return out
    }

    /// `serialized()` of the object of `members` and `written`, whose members were serialized
    /// apart (`serializedMember`, on another thread) and are copied into their sorted places; a
    /// key in both is the written one's.
    public static func serializedObject(_ members: [String: JSONValue], written: [String: [UInt8]]) -> String {
        let parts = (members.filter { written[$0.key] == nil }.map { (key: $0.key, value: Part.tree($0.value)) }
                     + written.map { (key: $0.key, value: Part.text($0.value)) }).sorted { $0.key < $1.key }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16 + written.values.reduce(0) { $0 + $1.count })
        writeObject(parts, indent: 0, into: &out) { part, out in
            switch part {
            case .tree(let value): value.write(into: &out, indent: 1)
            case .text(let bytes): out.append(contentsOf: bytes)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A member of `serializedObject`: a value to write, or its text written apart.
    private enum Part {
        case tree(JSONValue)
        case text([UInt8])
    }

    /// The one object layout: `{`, each member on its own line indented a level deeper as
    /// `"key": value`, commas between, `}` at `indent`; `{}` when empty. `sorted` is in key order;
    /// `member` writes each value.
    private static func writeObject<Member>(_ sorted: [(key: String, value: Member)], indent: Int, into out: inout [UInt8],
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

    /// Written as UTF-8 bytes, not appended to a String piece by piece (each small String append
    /// cost more than the bytes it added; callgrind, issue 16), and the layout's punctuation as
    /// bytes, not through String literals' UTF-8 views (a tenth of the writing).
    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: JSONValue.append("null", into: &out)
        case .bool(let b): JSONValue.append(b ? "true" : "false", into: &out)
        case .int, .uint, .double: out.append(contentsOf: (scalarText ?? "").utf8)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else { return JSONValue.append("[]", into: &out) }
            JSONValue.append("[\n", into: &out)
            for (i, item) in items.enumerated() {
                JSONValue.appendSpaces(2 * (indent + 1), into: &out)
                item.write(into: &out, indent: indent + 1)
                if i != items.count - 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            JSONValue.appendSpaces(2 * indent, into: &out)
            out.append(UInt8(ascii: "]"))
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

    /// Appends `s` whole when it is printable ASCII with nothing to escape, as most strings are, and
    /// says whether it did: checked and copied on the contiguous bytes, not scalar by scalar (the
    /// per-scalar loop was 7 % of a check's instructions, iterating `String.UTF8View` several
    /// times the cost of this; callgrind, issue 16). Both JSON layouts' quoting starts here.
    static func appendPlain(_ s: String, into out: inout [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if appendPlain(s, into: &out) {
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".utf8)
            case "\\": out.append(contentsOf: "\\\\".utf8)
            case "\n": out.append(contentsOf: "\\n".utf8)
            case "\r": out.append(contentsOf: "\\r".utf8)
            case "\t": out.append(contentsOf: "\\t".utf8)
            default:
                if InputText.isInert(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
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
