import Analysis
import HostModel
import Testing

@Suite struct IOMMURegisterDecoderTests {
    /// A Coffee Lake DMAR unit's registers as Linux prints them; fields worked out by hand from
    /// VT-d 4.1 §11.4.2/§11.4.3: ND=2 → 256 domains, SAGAW=00100b → 4-level, MGAW=38 → 39 bits,
    /// SLLPS (bits 37:34 of 8Ch) = 0011b → 2 MiB and 1 GiB pages, CAP[59]=0 no posted interrupts; ECAP DAh/50h/F0h → QI, IR, EIM, PT, SC set; DT, NEST, PASID clear.
    @Test func decodesIntelCapAndEcap() throws {
        let c = IntelIOMMUDecoder.decode(cap: 0x00d2_008c_4066_0462, ecap: 0xf0_50da)
        #expect(c.domains == 256 && c.pageWalkLevels == [4] && c.addressWidth == 39)
        #expect(!c.postedInterrupts && c.superpages2M && c.superpages1G)
        #expect(c.queuedInvalidation && c.interruptRemapping && c.extendedInterruptMode && c.passThrough && c.snoopControl)
        #expect(!c.deviceTlb && !c.nestedTranslation && !c.pasid && !c.scalableMode && c.pasidWidth == nil)
    }

    /// Bits set one at a time: each lands in its own field.
    @Test(arguments: [(59, "pi"), (43, "smts"), (40, "pasid"), (26, "nest"), (29, "prs")])
    func intelSingleBits(bit: Int, name: String) {
        let cap: UInt64 = name == "pi" ? 1 << UInt64(bit) : 0
        let ecap: UInt64 = name == "pi" ? 0 : 1 << UInt64(bit)
        let c = IntelIOMMUDecoder.decode(cap: cap, ecap: ecap)
        #expect(c.postedInterrupts == (name == "pi"))
        #expect(c.scalableMode == (name == "smts"))
        #expect(c.pasid == (name == "pasid"))
        #expect(c.nestedTranslation == (name == "nest"))
        #expect(c.pageRequests == (name == "prs"))
    }

    /// AMD 48882 §3.4.1: EFR F0000_43DEh → PPR, XT, NX, GT, IA, GA, HE, PC; HATS 0 (4 levels);
    /// PASmax 0Fh → 16-bit PASIDs. Capability header 090B_540Fh: IotlbSup (24), EFRSup (27).
    @Test func decodesAMDFeatures() throws {
        let efr = try #require(AMDIOMMUDecoder.parseFeatures("f000043de:0"))
        let f = AMDIOMMUDecoder.decode(cap: 0x090b_540f, efr: efr)
        #expect(f.iotlb == true && f.efrSupported == true)
        #expect(f.pageRequests && f.x2apic && f.noExecute && f.guestTranslation && f.guestVirtualApic)
        #expect(f.hardwareErrors && f.performanceCounters && !f.snp)
        #expect(f.hostPageTableLevels == 4 && f.pasidWidth == 16)
        #expect(AMDIOMMUDecoder.parseFeatures("f000043de") == efr)
        #expect(AMDIOMMUDecoder.parseFeatures("zz:0") == nil)
    }

    @Test func commandLineSwitchesSayWhatTheyDo() {
        let s = IOMMUCommandLine.switches("BOOT_IMAGE=/vmlinuz ro intel_iommu=on,igfx_off iommu=pt amd_iommu=on intremap=nosid pcie_acs_override=downstream,multifunction vfio_iommu_type1.allow_unsafe_interrupts=1 quiet")
        #expect(s.map { $0.text } == ["intel_iommu=on,igfx_off", "intel_iommu=on,igfx_off", "iommu=pt", "amd_iommu=on",
                                  "intremap=nosid", "pcie_acs_override=downstream,multifunction",
                                  "vfio_iommu_type1.allow_unsafe_interrupts=1"])
        #expect(s.filter { $0.weakensIsolation }.map { $0.text } == ["intremap=nosid", "pcie_acs_override=downstream,multifunction",
                                                             "vfio_iommu_type1.allow_unsafe_interrupts=1"])
        #expect(s.first { $0.text == "amd_iommu=on" }?.meaning.contains("ignored") == true)
        #expect(IOMMUCommandLine.switches("intel_iommu=off").first?.disablesIOMMU == true)
        #expect(IOMMUCommandLine.switches("iommu=off amd_iommu=off").allSatisfy { $0.disablesIOMMU })
        #expect(IOMMUCommandLine.switches("quiet splash").isEmpty)
    }
}
