@testable import Analysis
import HostModel
import Testing

/// IVRS layouts from the AMD I/O Virtualization Technology (IOMMU) Specification 48882 rev 3.08, §5.2.
@Suite struct IVRSParserTests {
    /// §5.2.1 header + IVinfo (EFRSup, PA 48, VA 64); §5.2.2.1 IVHD type 10h for the IOMMU at
    /// 00:00.2 with §5.2.2.2 entries: range start 0008h, range end FFFEh, special IOAPIC 0x21
    /// at 00:14.0; an IVDB of unknown type 30h (skipped by length); §5.2.3 IVMD type 20h.
    static func table() -> [UInt8] {
        var b = ACPITableBuilder.header("IVRS", revision: 2)
        b.u32(1 | 48 << 8 | 64 << 15); b.zeros(8)
        // IVHD 10h: type, flags, length (24 + 4 + 4 + 8), device id, cap offset, base, segment, info, attributes
        b.u8(0x10); b.u8(0xb0); b.u16(40); b.u16(0x0002); b.u16(0x40); b.u64(0xfd20_0000); b.u16(0); b.u16(0); b.u32(0)
        b.u8(0x03); b.u16(0x0008); b.u8(0)
        b.u8(0x04); b.u16(0xfffe); b.u8(0)
        b.u8(0x48); b.u16(0); b.u8(0); b.u8(0x21); b.u16(0x00a0); b.u8(1)
        // unknown IVDB type 30h, length 8
        b.u8(0x30); b.u8(0); b.u16(8); b.zeros(4)
        // IVMD 20h: type, flags, length 32, device id, aux, reserved 8, start, length
        b.u8(0x20); b.u8(0x05); b.u16(32); b.u16(0); b.u16(0); b.zeros(8); b.u64(0xa000_0000); b.u64(0x10_0000)
        return b.finish()
    }

    @Test func decodesBlocksAndEntries() throws {
        let t = try IVRSParser.parse(Self.table())
        #expect(t.header.checksumValid && t.physicalAddressSize == 48 && t.virtualAddressSize == 64)
        #expect(t.units.count == 1)
        let u = try #require(t.units.first)
        #expect(u.type == 0x10 && u.deviceId == 0x0002 && u.capabilityOffset == 0x40 && u.baseAddress == "0xfd200000")
        #expect(u.efr == nil)
        #expect(u.entries.map(\.detail) == ["range start", "range end", "special: IOAPIC 33"])
        #expect(u.entries.map(\.deviceId) == [0x0008, 0xfffe, 0])
        #expect(t.memory.first?.start == "0xa0000000" && t.memory.first?.length == "0x100000")
    }

    @Test func everyTruncationIsATypedError() {
        let bytes = Self.table()
        for n in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try IVRSParser.parse(Array(bytes[0..<n])) }
        }
    }

    @Test func undefinedEntryTypeStopsWithAnError() {
        var b = Self.table()
        b[48 + 24] = 0x80   // first IVHD entry: type 80h has no defined size
        #expect(throws: BinaryDecodingError.self) { try IVRSParser.parse(b) }
    }

    @Test func corruptedBytesNeverCrash() {
        let bytes = Self.table()
        for i in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x10, 0x11, 0x40, 0xf0, 0xff] {
                var b = bytes
                b[i] = value
                _ = try? IVRSParser.parse(b)
            }
        }
    }
}
