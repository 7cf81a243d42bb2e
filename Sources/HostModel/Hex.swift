/// Hexadecimal spelling of register values in snapshots: `0x0000001c`, as `cpuid -r` and
/// `rdmsr` print them, so a person can compare a snapshot with those tools by eye.
public enum Hex {
    public static func format32(_ value: UInt32) -> String { padded(UInt64(value), digits: 8) }

    public static func format64(_ value: UInt64) -> String { padded(value, digits: 16) }

    /// `0x` and `digits` lowercase hex digits, written into the string's own storage: a snapshot
    /// spells every CPUID register this way (2,400 of them on a 2-CPU host), and building each
    /// from `String(_:radix:)`, a padding string and two concatenations was 4 % of `capture`.
    static func padded(_ value: UInt64, digits: Int) -> String {
        String(unsafeUninitializedCapacity: digits + 2) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "x")
            for i in 0..<digits {
                buffer[2 + i] = character(UInt8(truncatingIfNeeded: value >> UInt64(4 * (digits - 1 - i))) & 0xf)
            }
            return digits + 2
        }
    }

    /// Lowercase hex without `0x`, zero-padded to at least `count` digits, as PCI addresses, IDs
    /// and capability IDs are written (`01`, `10de`). A run of bytes is `BinaryEvidence.hex`.
    public static func digits(_ value: Int, count: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= count ? text : String(repeating: "0", count: count - text.count) + text
    }

    /// `0x1f`: no padding, for values in sentences (a VMCB field, a fault's RIP).
    public static func compact(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// Parses `0x1F`, `1f` or `0X1f`; nil for anything else (no sign, no spaces, at most 16 digits).
    /// Read on the contiguous UTF-8 bytes: Character-based `hasPrefix`, `count` and
    /// `UInt64(_:radix:)`, and then stepping through `Substring.UTF8View`'s indices, each cost
    /// hundreds of instructions per CPUID register of a snapshot, 3 % of a `check --from`
    /// (callgrind, issue 16). The sign that `UInt64(_:radix:)` took (`+ff`) is refused.
    public static func parse(_ text: Substring) -> UInt64? {
        if let value = text.utf8.withContiguousStorageIfAvailable(parse) { return value }
        return Array(text.utf8).withUnsafeBufferPointer(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var digits = bytes[...]
        if digits.count >= 2, digits[digits.startIndex] == UInt8(ascii: "0"),
           digits[digits.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = digit(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// The value of one hex digit, either case; nil for any other byte.
    public static func digit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The lowercase digit of a nibble (0 to 15).
    static func character(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    public static func parse32(_ text: Substring) -> UInt32? {
        guard let value = parse(text), value <= UInt64(UInt32.max) else { return nil }
        return UInt32(value)
    }
}
