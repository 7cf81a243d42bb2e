/// Why a binary structure from the host (an ACPI table, PCI config space) could not be decoded.
/// These bytes are untrusted: every read is bounds-checked and a bad one names where it failed.
public enum BinaryDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer bytes than the structure needs: what was being read, at which offset, how many were needed.
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    /// Bytes inside the structure that were not read (config space read only as far as its
    /// capability lists reach, as the probe saw them; a hand-edited snapshot).
    case notRead(what: String, offset: Int, length: Int)
    case badSignature(expected: String, found: String)
    /// A length field that cannot be right (zero, shorter than its own header, past the end).
    case badLength(what: String, offset: Int, length: Int)
    /// A pointer chain that revisits an offset (a capability list loop).
    case loop(what: String, offset: Int)

    public var description: String {
        switch self {
        case let .truncated(what, offset, needed, available):
            "\(what) at offset 0x\(String(offset, radix: 16)) needs \(needed) bytes, \(available) available"
        case let .notRead(what, offset, length):
            "\(what) at offset 0x\(String(offset, radix: 16)) (\(length) bytes) was not read"
        case let .badSignature(expected, found):
            "signature \"\(found)\" is not \"\(expected)\""
        case let .badLength(what, offset, length):
            "\(what) at offset 0x\(String(offset, radix: 16)) has impossible length \(length)"
        case let .loop(what, offset):
            "\(what) loops back to offset 0x\(String(offset, radix: 16))"
        }
    }
}
