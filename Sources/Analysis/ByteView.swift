import HostModel

/// Little-endian reads from untrusted bytes that throw instead of trapping.
struct ByteView {
    let bytes: [UInt8]
    /// The region these bytes are, when it was read in part; nil when all were read.
    let partial: PartialBytes?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        partial = nil
    }

    init(_ region: PartialBytes) {
        bytes = region.bytes
        partial = region
    }

    var count: Int { bytes.count }

    /// Throws `truncated` past the end and `notRead` for a byte of the region that was not read.
    func require(_ what: String, at offset: Int, _ length: Int) throws(BinaryDecodingError) {
        guard offset >= 0, length >= 0, offset <= bytes.count, bytes.count - offset >= length else {
            throw .truncated(what: what, offset: offset, needed: length, available: max(0, bytes.count - max(0, offset)))
        }
        if let partial, !partial.isRead(offset, length) {
            throw .notRead(what: what, offset: offset, length: length)
        }
    }

    func u8(_ offset: Int, _ what: String) throws(BinaryDecodingError) -> UInt8 {
        try require(what, at: offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int, _ what: String) throws(BinaryDecodingError) -> UInt16 {
        try require(what, at: offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int, _ what: String) throws(BinaryDecodingError) -> UInt32 {
        try require(what, at: offset, 4)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    func u64(_ offset: Int, _ what: String) throws(BinaryDecodingError) -> UInt64 {
        try require(what, at: offset, 8)
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    /// Printable ASCII of a fixed-width field (ACPI signatures and OEM ids), other bytes as `?`.
    func ascii(_ offset: Int, _ length: Int, _ what: String) throws(BinaryDecodingError) -> String {
        try require(what, at: offset, length)
        let field = bytes[offset..<offset + length].map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") }
        return String(decoding: field, as: UTF8.self).trimmingTrailingSpaces()
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
