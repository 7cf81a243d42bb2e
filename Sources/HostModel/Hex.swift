/// Hexadecimal spelling of register values in snapshots: `0x0000001c`, as `cpuid -r` and
/// `rdmsr` print them, so a person can compare a snapshot with those tools by eye.
public enum Hex {
    public static func format32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    public static func format64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// `0x1f`: no padding, for values in sentences (a VMCB field, a fault's RIP).
    public static func compact(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// Parses `0x1F`, `1f` or `0X1f`; nil for anything else (no sign, no spaces, at most 16 digits).
    public static func parse(_ text: Substring) -> UInt64? {
        var digits = text
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    public static func parse32(_ text: Substring) -> UInt32? {
        guard let value = parse(text), value <= UInt64(UInt32.max) else { return nil }
        return UInt32(value)
    }
}
