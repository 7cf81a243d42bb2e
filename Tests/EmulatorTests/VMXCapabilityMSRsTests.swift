import Emulator
import Foundation
import HostModel
import Testing

@Suite struct VMXCapabilityMSRsTests {
    @Test func decodesTheReferenceCPU() {
        let c = VMXCapabilityMSRs.reference
        #expect(c.revisionID == 4)
        #expect(c.trueControls && c.dualMonitor && !c.addressesLimitedTo32Bits)
        #expect(c.vmwriteAnyField && c.vmcsShadowing && c.invept && c.invvpid)
        #expect(c.entryProcbased == c.trueProcbased)
        #expect(c.isValidPageAddress(0x3FFF_FFFF_F000) && !c.isValidPageAddress(0x4000_0000_0000) && !c.isValidPageAddress(0x1800))
    }

    @Test func needsTheMandatoryMSRsAndDropsTrueControlsWithoutBasic55() {
        var msrs: [UInt32: UInt64] = [0x480: 0x0000_0400_0000_0001, 0x481: 0x16, 0x482: 0x0401_E172, 0x483: 0x3_6DFF,
                                      0x484: 0x11FF, 0x485: 0, 0x486: 0x8000_0021, 0x487: 0xFFFF_FFFF, 0x488: 0x2000,
                                      0x489: 0x27FF, 0x48A: 0x2C, 0x48D: 0xFF]
        let c = VMXCapabilityMSRs(msrs: msrs, physicalAddressWidth: 36)
        #expect(c?.truePinbased == nil)
        #expect(c?.procbased2 == 0)
        msrs[0x486] = nil
        #expect(VMXCapabilityMSRs(msrs: msrs, physicalAddressWidth: 36) == nil)
    }

    /// From a snapshot's MSR reads: denied reads are not values.
    @Test func readsSnapshotEvidence() throws {
        let values: [(UInt32, UInt64)] = [(0x480, 0x00DA_0400_0000_0004), (0x481, 0x16), (0x482, 0x0401_E172), (0x483, 0x3_6DFF),
                                          (0x484, 0x11FF), (0x485, 0), (0x486, 0x8000_0021), (0x487, 0xFFFF_FFFF),
                                          (0x488, 0x2000), (0x489, 0x27FF), (0x48A, 0x2C)]
        var reads = values.map { MSRRead(index: $0.0, status: .ok, value: $0.1) }
        let cpu = MSREvidence.CPU(cpu: 0, reads: reads)
        #expect(VMXCapabilityMSRs(evidence: cpu, physicalAddressWidth: 39)?.revisionID == 4)
        reads[0] = MSRRead(index: 0x480, status: .denied)
        #expect(VMXCapabilityMSRs(evidence: MSREvidence.CPU(cpu: 0, reads: reads), physicalAddressWidth: 39) == nil)
    }
}

@Suite struct VMXCapabilityMSRsCodingTests {
    /// Hex strings in snake_case keys, like the snapshot's MSR values; decoding gives the same value.
    @Test func roundTripsAsHex() throws {
        let data = try JSONEncoder().encode(VMXCapabilityMSRs.reference)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"cr4_fixed1\":\"0x00000000007767ff\""))
        #expect(try JSONDecoder().decode(VMXCapabilityMSRs.self, from: data) == .reference)
        var noTrue = VMXCapabilityMSRs.reference
        noTrue.trueExit = nil
        #expect(try JSONDecoder().decode(VMXCapabilityMSRs.self, from: JSONEncoder().encode(noTrue)) == noTrue)
    }
}
