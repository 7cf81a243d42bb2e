@testable import Analysis
import HostModel
import Testing

/// DMAR layouts from the Intel VT-d Architecture Specification rev 4.1, chapter 8.
@Suite struct DMARParserTests {
    /// §8.1 header + HAW 38 (39 bits) + flags INTR_REMAP|X2APIC_OPT_OUT; §8.3 DRHD for the iGPU
    /// (endpoint 00:02.0) and an INCLUDE_PCI_ALL DRHD with an IOAPIC scope (id 2 at 00:1f.0);
    /// §8.4 RMRR for 00:14.0; §8.5 ATSR (ALL_PORTS); §8.6 RHSA.
    static func table() -> [UInt8] {
        var b = ACPITableBuilder.header("DMAR", revision: 1)
        b.u8(38); b.u8(0x03); b.zeros(10)
        // DRHD: type 0, length 24, flags 0, size 0, segment 0, base, scope (§8.3.1, 8 bytes)
        b.u16(0); b.u16(24); b.u8(0); b.u8(0); b.u16(0); b.u64(0xfed9_0000)
        b.u8(1); b.u8(8); b.u16(0); b.u8(0); b.u8(0); b.u8(2); b.u8(0)
        // DRHD INCLUDE_PCI_ALL with an IOAPIC scope
        b.u16(0); b.u16(24); b.u8(1); b.u8(0); b.u16(0); b.u64(0xfed9_1000)
        b.u8(3); b.u8(8); b.u16(0); b.u8(2); b.u8(0xf0); b.u8(0x1f); b.u8(0)
        // RMRR: type 1, length 32, reserved, segment, base, limit, scope
        b.u16(1); b.u16(32); b.u16(0); b.u16(0); b.u64(0x7c8c_0000); b.u64(0x7c8d_ffff)
        b.u8(1); b.u8(8); b.u16(0); b.u8(0); b.u8(0); b.u8(0x14); b.u8(0)
        // ATSR: type 2, length 8, ALL_PORTS, reserved, segment 0
        b.u16(2); b.u16(8); b.u8(1); b.u8(0); b.u16(0)
        // RHSA: type 3, length 20, reserved, base, proximity domain
        b.u16(3); b.u16(20); b.u32(0); b.u64(0xfed9_1000); b.u32(0)
        return b.finish()
    }

    @Test func decodesEveryStructure() throws {
        let t = try DMARParser.parse(Self.table())
        #expect(t.header.signature == "DMAR" && t.header.checksumValid && t.header.oemId == "VCHECK")
        #expect(t.hostAddressWidth == 39)
        #expect(t.interruptRemapping && t.x2apicOptOut && !t.dmaControlOptIn)
        #expect(t.units.count == 2)
        #expect(t.units[0].registerBase == "0xfed90000" && !t.units[0].includePciAll)
        #expect(t.units[0].scopes.map(\.text) == ["endpoint 00:02.0"])
        #expect(t.units[1].includePciAll && t.units[1].scopes.first?.type == 3 && t.units[1].scopes.first?.enumerationId == 2)
        #expect(t.reservedMemory.first?.base == "0x7c8c0000" && t.reservedMemory.first?.limit == "0x7c8dffff")
        #expect(t.reservedMemory.first?.scopes.first?.path == [0x14, 0])
        #expect(t.atsReporting.first?.allPorts == true)
        #expect(t.otherStructures == [3])
    }

    @Test func badChecksumIsReportedNotFatal() throws {
        var bytes = Self.table()
        bytes[20] ^= 0x55
        #expect(try DMARParser.parse(bytes).header.checksumValid == false)
    }

    @Test func everyTruncationIsATypedError() {
        let bytes = Self.table()
        for n in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try DMARParser.parse(Array(bytes[0..<n])) }
        }
    }

    @Test func impossibleLengthsAreTypedErrors() {
        var zeroStructure = Self.table()
        zeroStructure[48 + 2] = 0; zeroStructure[48 + 3] = 0     // first DRHD length 0
        #expect(throws: BinaryDecodingError.badLength(what: "remapping structure type 0", offset: 48, length: 0)) {
            try DMARParser.parse(zeroStructure)
        }
        var shortScope = Self.table()
        shortScope[48 + 16 + 1] = 5                               // scope length below 6
        #expect(throws: BinaryDecodingError.badLength(what: "device scope", offset: 64, length: 5)) {
            try DMARParser.parse(shortScope)
        }
        var longScope = Self.table()
        longScope[48 + 16 + 1] = 10                               // scope runs past its DRHD
        #expect(throws: BinaryDecodingError.self) { try DMARParser.parse(longScope) }
        var signature = Self.table()
        signature[0] = UInt8(ascii: "X")
        #expect(throws: BinaryDecodingError.badSignature(expected: "DMAR", found: "XMAR")) { try DMARParser.parse(signature) }
    }

    /// Every single-byte corruption either parses or throws; none traps.
    @Test func corruptedBytesNeverCrash() {
        let bytes = Self.table()
        for i in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x07, 0xff] {
                var b = bytes
                b[i] = value
                _ = try? DMARParser.parse(b)
            }
        }
    }
}
