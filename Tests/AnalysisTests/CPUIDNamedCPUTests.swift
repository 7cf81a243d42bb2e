import Analysis
import HostModel
import Testing

/// Facts about named CPUs and hypervisors, checked by hand against vendor documentation and
/// product history (not against the decoder's earlier output): when AMD-V, nested paging, SEV-SNP,
/// VT-x, UMIP and 64-bit mode arrived, and what each hypervisor writes into CPUID.
@Suite struct CPUIDNamedCPUTests {
    private func decode(_ file: String) throws -> (CPUIdentity, [String: Bool], HypervisorFacts, SVMFacts?, SEVFacts?) {
        let t = try CPUIDFixtures.table(file)
        return (CPUIDDecoder.identity(t), CPUIDDecoder.features(t), CPUIDDecoder.hypervisor(t),
                CPUIDDecoder.svm(t, vmcr: nil), CPUIDDecoder.sev(t))
    }

    @Test func k8RevisionFHasSVMButNoNestedPaging() throws {
        // AMD-V arrived with K8 revision F (2006); nested paging with K10 "Barcelona" (2007).
        for file in ["libcpuid/amd/k8/amd-athlon-64-x2-dual-core-processor-5200+.test.cpuid-r.txt",
                     "hwloc/x86-cpuid-pu0/AMD-K8-SantaRosa-2xOpteron-2218.pu0.txt.cpuid-r.txt"] {
            let (id, features, _, svm, sev) = try decode(file)
            #expect(id.family == 0xF)
            #expect(features["svm"] == true)
            let facts = try #require(svm)
            #expect(facts.revision == 1)
            #expect(facts.nestedPaging == false)
            #expect(facts.nasid == 64)
            #expect(sev == nil)
        }
    }

    @Test func k8RevisionCHasNoSVM() throws {
        let (id, features, _, svm, _) = try decode("hwloc/x86-cpuid-pu0/AMD-K8-SledgeHammer-2xOpteron-250.pu0.txt.cpuid-r.txt")
        #expect(id.family == 15 && id.model == 5)
        #expect(features["svm"] == false)
        #expect(features["lm"] == true)
        #expect(svm == nil)
    }

    @Test func barcelonaHasNestedPaging() throws {
        let (id, _, _, svm, _) = try decode("libcpuid/amd/k10/amd-phenom-9500-quad-core-processor.test.cpuid-r.txt")
        #expect(id.family == 0x10 && id.model == 2)
        #expect(try #require(svm).nestedPaging)
    }

    @Test func milanAndGenoaHaveSEVSNP() throws {
        let (milan, _, _, milanSVM, milanSEV) = try decode("hwloc/x86-cpuid-pu0/AMD-19h-Zen3-2xEpyc-7763.pu0.txt.cpuid-r.txt")
        #expect(milan.family == 0x19 && milan.model == 0x01)
        let m = try #require(milanSEV)
        #expect(m.sme && m.sev && m.sevEs && m.sevSnp)
        #expect(m.cbitPosition == 51)
        #expect(try #require(milanSVM).x2avic == false)  // x2AVIC came with Zen 4

        let (genoa, _, _, genoaSVM, genoaSEV) = try decode("instlatx64/AuthenticAMD/AuthenticAMD0A10F11_K19_Genoa_02_CPUID.txt.cpuid-r.txt")
        #expect(genoa.family == 0x19 && genoa.model == 0x11)
        #expect(genoa.brand == "AMD EPYC 9124 16-Core Processor")
        #expect(try #require(genoaSEV).sevSnp)
        let g = try #require(genoaSVM)
        #expect(g.nestedPaging && g.avic && g.x2avic && g.vnmi && g.vgif && g.vmsaveVirt)
    }

    @Test func naplesHasSVMWithAVIC() throws {
        let (id, _, _, svm, _) = try decode("hwloc/x86-cpuid-pu0/AMD-17h-Zen-2xEpyc-7451.pu0.txt.cpuid-r.txt")
        #expect(id.family == 0x17 && id.model == 0x01)
        let facts = try #require(svm)
        #expect(facts.nestedPaging && facts.avic && facts.nripSave && facts.decodeAssists)
        #expect(facts.nasid == 32768)
    }

    @Test func core2E4500HasNoVMXButE6750Has() throws {
        let (e4500, e4500Features, _, _, _) = try decode("libcpuid/intel/x86-64/core/intel-core2-duo-cpu-e4500.test.cpuid-r.txt")
        #expect(e4500.family == 6 && e4500.model == 0x0F && e4500.stepping == 13)
        #expect(e4500Features["vmx"] == false)
        #expect(e4500Features["lm"] == true)
        let (_, e6750Features, _, _, _) = try decode("libcpuid/intel/x86-64/core/intel-core2-duo-cpu-e6750.test.cpuid-r.txt")
        #expect(e6750Features["vmx"] == true)
    }

    @Test func atomN270Is32BitWithoutVMX() throws {
        let (id, features, _, _, _) = try decode("libcpuid/intel/x86-atom/bonnell/intel-atom-cpu-n270.test.cpuid-r.txt")
        #expect(id.family == 6 && id.model == 0x1C)
        #expect(features["vmx"] == false)
        #expect(features["lm"] == false)
    }

    @Test func oldIntelIdentity() throws {
        let (p3, p3Features, _, _, _) = try decode("libcpuid/intel/ia-32/p6/intel-pentium-iii-katmai.test.cpuid-r.txt")
        #expect(p3.family == 6 && p3.model == 7 && p3.brand == nil)  // brand strings came later
        #expect(p3Features["vmx"] == false && p3Features["umip"] == false)
        let (p4, p4Features, _, _, _) = try decode("libcpuid/intel/ia-32/netburst/intel-pentium-4-cpu-2.40ghz.test.cpuid-r.txt")
        #expect(p4.family == 15 && p4.model == 2)
        #expect(p4Features["vmx"] == false)
    }

    @Test func intelDisplayModelsUseTheExtendedModel() throws {
        let cases: [(String, Int)] = [
            ("hwloc/x86-cpuid-pu0/Intel-Nehalem-2xXeon-X5550.pu0.txt.cpuid-r.txt", 0x1A),
            ("libcpuid/intel/x86-64/skylake/intel-core-i7-6700k-cpu.test.cpuid-r.txt", 0x5E),
            ("hwloc/x86-cpuid-pu0/Intel-KnightsLanding-XeonPhi-7210.pu0.txt.cpuid-r.txt", 0x57),
            ("hwloc/x86-cpuid-pu0/Intel-SapphireRapids-2xXeonMax9460.pu0.txt.cpuid-r.txt", 0x8F),
            ("libcpuid/intel/x86-64/raptor-cove/13th-gen-intel-core-i9-13900kf.test.cpuid-r.txt", 0xB7),
            ("libcpuid/intel/x86-64/redwood-cove/intel-core-ultra-7-155h.test.cpuid-r.txt", 0xAA),
        ]
        for (file, model) in cases {
            let (id, features, _, _, _) = try decode(file)
            #expect(id.vendor == "GenuineIntel" && id.family == 6 && id.model == model, "\(file)")
            #expect(features["vmx"] == true, "\(file)")
        }
    }

    @Test func umipArrivedAfterSkylakeClient() throws {
        let (_, skylake, _, _, _) = try decode("libcpuid/intel/x86-64/skylake/intel-core-i7-6700k-cpu.test.cpuid-r.txt")
        #expect(skylake["umip"] == false)
        let (_, spr, _, _, _) = try decode("hwloc/x86-cpuid-pu0/Intel-SapphireRapids-2xXeonMax9460.pu0.txt.cpuid-r.txt")
        #expect(spr["umip"] == true && spr["tme"] == true && spr["pconfig"] == true && spr["la57"] == true)
    }

    @Test func zhaoxinFamily7UsesTheExtendedModel() throws {
        let (kx6000, features, _, svm, _) = try decode("libcpuid/zhaoxin/lujiazui/zhaoxin-kaixian-kx-6000g.test.cpuid-r.txt")
        #expect(kx6000.vendor == "CentaurHauls" && kx6000.family == 7 && kx6000.model == 0x3B)
        #expect(features["vmx"] == true)
        #expect(svm == nil)
        let (kh40000, _, _, _, _) = try decode("libcpuid/zhaoxin/yongfeng/zhaoxin-kaisheng-kh-40000.test.cpuid-r.txt")
        #expect(kh40000.family == 7 && kh40000.model == 0x5B)
        let (shanghai, _, _, _, _) = try decode("hwloc/x86-cpuid-pu0/Zhaoxin-Shanghai-KaiSheng-ZXC+-FC1081.pu0.txt.cpuid-r.txt")
        #expect(shanghai.vendor == "  Shanghai  ")  // the vendor string keeps its padding
    }

    @Test func hygonImplementsAMDV() throws {
        let (id, _, _, svm, _) = try decode("libcpuid/hygon/dhyana/hygon-c86-7185-32-core-processor.test.cpuid-r.txt")
        #expect(id.vendor == "HygonGenuine" && id.family == 0x18)
        #expect(try #require(svm).nestedPaging)
    }

    @Test func viaSamuelGarbageIsNotSVM() throws {
        // The Samuel predates CPUID.80000001h:ECX and leaves the register unwritten; the dump holds
        // whatever the caller had there (0xc1705f8c), which has bit 2 set.
        let (id, features, _, svm, _) = try decode("libcpuid/via/samuel/via-samuel.test.cpuid-r.txt")
        #expect(id.brand == "VIA Samuel")
        #expect(features["lm"] == false)
        #expect(svm == nil)
    }

    @Test func oddVendors() throws {
        #expect(try decode("instlatx64/GenuineTMx86/GenuineTMx860000543_Crusoe_CPUID.txt.cpuid-r.txt").0.vendor == "GenuineTMx86")
        #expect(try decode("libcpuid/via/isaiah/via-nano-processor.test.cpuid-r.txt").1["lm"] == true)
        let knc = try decode("hwloc/x86-cpuid-pu0/Intel-KnightsCorner-XeonPhi-SE10P.pu0.txt.cpuid-r.txt").0
        #expect(knc.family == 0x0B && knc.brand == nil)
    }

    @Test func brandStringsEndAtTheirNUL() throws {
        #expect(try decode("libcpuid/amd/zen2/amd-custom-apu-0405.test.cpuid-r.txt").0.brand == "AMD Custom APU 0405")
        #expect(try decode("libcpuid/intel/x86-atom/airmont/spreadtrum-sc9853i-ia.test.cpuid-r.txt").0.brand == "Spreadtrum SC9853I-IA")
        #expect(try decode("hwloc/x86-cpuid-pu0/Intel-Nehalem-2xXeon-X5550.pu0.txt.cpuid-r.txt").0.brand
                == "Intel(R) Xeon(R) CPU           X5550  @ 2.67GHz")
    }

    @Test(arguments: [
        ("firecracker/cpuid-r-aws-xen-guests/aws-t2-instance.cpuid-r.txt.cpuid-r.txt", "XenVMMXenVMM", "Xen HVM"),
        ("firecracker/cpuid-r-kvm-guest-microvms-2023/firecracker-c3-template-guest.cpuid-r.txt.cpuid-r.txt", "KVMKVMKVM", "KVM"),
        ("rjcp-cpuid-xml/GenuineIntel/vmware/i7-6700K_vmware.xml.cpuid-r.txt", "VMwareVMware", "VMware"),
        ("rjcp-cpuid-xml/contrib/users/GenuineIntel00206A7 (Intel(R) Core(TM) i7-2630QM CPU @ 2.00GHz, hyperv).xml.cpuid-r.txt",
         "Microsoft Hv", "Microsoft Hyper-V"),
    ])
    func hypervisorSignatures(_ file: String, _ signature: String, _ name: String) throws {
        let (_, features, hv, _, _) = try decode(file)
        #expect(hv.present && features["hypervisor"] == true)
        #expect(hv.signature == signature)
        #expect(hv.name == name)
        #expect(features["vmx"] == false)  // none of these exposes VT-x to the guest / root partition
    }

    @Test func hyperVRootHidesAMDV() throws {
        let (_, features, hv, svm, _) = try decode("libcpuid/amd/jaguar/amd-athlon-5370-apu-with-radeon-r3.test.cpuid-r.txt")
        #expect(hv.signature == "Microsoft Hv")
        #expect(features["svm"] == false)
        #expect(svm == nil)
    }

    @Test func qemuGuests() throws {
        // QEMU's broken TCG model on KVM: AuthenticAMD vendor with Intel's VMX bit.
        let (tcg, tcgFeatures, tcgHV, tcgSVM, _) = try decode(
            "misc-cpuid-r/kvm-list-2021-05-27-qemu-kvm-guest-i7-8650U/cpuid.f5cc5a5c16.broken-tcg-model.cpuid-r.txt.cpuid-r.txt")
        #expect(tcg.vendor == "AuthenticAMD" && tcg.brand == "QEMU TCG CPU version 2.5+")
        #expect(tcgFeatures["vmx"] == true && tcgSVM == nil)
        #expect(tcgHV.name == "KVM")
        // A QEMU model that fills 0x8000000A on an Intel vendor without the SVM bit.
        let rhel6 = try CPUIDFixtures.table("libcpuid/intel/qemu/qemu-virtual-cpu-version.test.cpuid-r.txt")
        #expect(rhel6.leaf(0x8000_000A) != nil)
        #expect(CPUIDDecoder.svm(rhel6, vmcr: nil) == nil)
        // Hypervisor bit set, no 0x40000000 leaf in the dump.
        let hv = try decode("hwloc/x86-cpuid-pu0/Intel-CPUID.1F-Qemu-2p3d3c2t.pu0.txt.cpuid-r.txt").2
        #expect(hv.present && hv.signature == nil && hv.name == nil)
    }

    @Test func nestedVMXInAKVMGuest() throws {
        let (_, features, hv, _, _) = try decode(
            "misc-cpuid-r/kvm-list-2021-05-27-qemu-kvm-guest-i7-8650U/cpuid.0ac2b19743.host-passthrough-i7-8650U.cpuid-r.txt.cpuid-r.txt")
        #expect(hv.signature == "KVMKVMKVM")
        #expect(features["vmx"] == true && features["hypervisor"] == true)
    }

    @Test(arguments: [(nil, nil, nil), (0x18, true, true), (0x08, false, true), (0x10, true, false), (0x0, false, false)]
          as [(UInt64?, Bool?, Bool?)])
    func vmcrSVMDisAndLock(_ vmcr: UInt64?, _ disabled: Bool?, _ locked: Bool?) throws {
        let milan = try CPUIDFixtures.table("hwloc/x86-cpuid-pu0/AMD-19h-Zen3-2xEpyc-7763.pu0.txt.cpuid-r.txt")
        let svm = try #require(CPUIDDecoder.svm(milan, vmcr: vmcr))
        #expect(svm.disabledByBios == disabled)
        #expect(svm.vmcrLocked == locked)
    }

    @Test func vmcrDoesNotInventSVMOnIntel() throws {
        let skylake = try CPUIDFixtures.table("libcpuid/intel/x86-64/skylake/intel-core-i7-6700k-cpu.test.cpuid-r.txt")
        #expect(CPUIDDecoder.svm(skylake, vmcr: 0x10) == nil)
    }
}
