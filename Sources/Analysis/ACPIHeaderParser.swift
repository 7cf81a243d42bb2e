import HostModel

/// Reads and checks the common 36-byte ACPI header (ACPI 6.5 §5.2.6) before a table's own parser
/// runs: signature, a length that fits the bytes we have, and the checksum.
enum ACPIHeaderParser {
    static let size = 36

    /// Returns the header and a view cut to the header's length (trailing bytes are ignored).
    static func parse(_ bytes: [UInt8], signature: String, minimumLength: Int) throws(BinaryDecodingError)
        -> (ACPITableHeader, ByteView) {
        let all = ByteView(bytes)
        try all.require("\(signature) header", at: 0, size)
        let found = try all.ascii(0, 4, "signature")
        guard found == signature else { throw .badSignature(expected: signature, found: found) }
        let length = Int(try all.u32(4, "length"))
        guard length >= minimumLength else { throw .badLength(what: "\(signature) table", offset: 0, length: length) }
        guard length <= bytes.count else {
            throw .truncated(what: "\(signature) table", offset: 0, needed: length, available: bytes.count)
        }
        let table = ByteView(Array(bytes[0..<length]))
        let sum = table.bytes.reduce(UInt8(0)) { $0 &+ $1 }
        let header = ACPITableHeader(signature: found, length: length, revision: Int(try table.u8(8, "revision")),
                                     checksumValid: sum == 0, oemId: try table.ascii(10, 6, "OEM ID"),
                                     oemTableId: try table.ascii(16, 8, "OEM table ID"))
        return (header, table)
    }

    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
