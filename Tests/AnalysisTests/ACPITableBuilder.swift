/// Builds ACPI tables byte by byte for tests, so parsers are held against the specification's
/// layout rather than against their own output.
struct ACPITableBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: Int) { bytes.append(UInt8(truncatingIfNeeded: v)) }
    mutating func u16(_ v: Int) { for i in 0..<2 { u8(v >> (8 * i)) } }
    mutating func u32(_ v: Int) { for i in 0..<4 { u8(v >> (8 * i)) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { u8(Int(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func ascii(_ s: String) { bytes += Array(s.utf8) }
    mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }

    /// ACPI 6.5 §5.2.6: Signature, Length, Revision, Checksum, OEMID, OEM Table ID,
    /// OEM Revision, Creator ID, Creator Revision — 36 bytes; length and checksum fixed by `finish`.
    static func header(_ signature: String, revision: Int) -> ACPITableBuilder {
        var b = ACPITableBuilder()
        b.ascii(signature); b.u32(0); b.u8(revision); b.u8(0)
        b.ascii("VCHECK"); b.ascii("TESTTBL "); b.u32(1); b.ascii("VCHK"); b.u32(1)
        return b
    }

    /// Writes the length at offset 4 and the checksum at offset 9 (all bytes sum to 0).
    func finish() -> [UInt8] {
        var out = bytes
        let n = out.count
        for i in 0..<4 { out[4 + i] = UInt8(truncatingIfNeeded: n >> (8 * i)) }
        out[9] = 0
        out[9] = 0 &- out.reduce(UInt8(0)) { $0 &+ $1 }
        return out
    }
}
