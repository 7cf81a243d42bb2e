import Analysis
import HostModel
import Testing

struct HostCapabilitiesTests {
    /// A hand-written /proc/cpuinfo of the Zen 3 EPYC 7763 of Tests/Fixtures, as a kernel
    /// before 6.6 (no `user_shstk`) without SEV-SNP firmware prints it: no CPUID dump, so the
    /// flags speak.
    static let zen3CPUInfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 1
        model name\t: AMD EPYC 7763 64-Core Processor
        stepping\t: 1
        flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 invpcid_single hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca sev sev_es
        address sizes\t: 48 bits physical, 48 bits virtual

        """

    static func cpuinfoHost() -> HostCapabilities {
        let snapshot = Snapshot(source: SourceInfo(kind: .files, paths: ["cpuinfo"]),
                                cpuinfo: TextEvidence(source: "cpuinfo", status: .ok, text: zen3CPUInfo))
        return HostCapabilities(snapshot: snapshot, label: "cpuinfo")
    }

    @Test func cpuinfoFlagsStandInForCPUID() throws {
        let h = Self.cpuinfoHost()
        func has(_ name: String) -> Bool? {
            let i = GuestCapability.indexByName[name]!
            return h.known.contains(i) ? h.present.contains(i) : nil
        }
        #expect(has("avx2") == true && has("sse3") == true && has("invtsc") == true)
        #expect(has("avx512f") == false && has("sev_snp") == false)
        #expect(has("svm.npt") == true && has("svm.vgif") == true && has("sev_es") == true)
        // Linux hides these bits from cpuinfo: unknown, not absent.
        #expect(has("amd_ibpb") == nil && has("spec_ctrl") == nil)
        #expect(h.physicalAddressBits == 48 && h.linearAddressBits == 48)
        #expect(h.vendor == "AuthenticAMD")
    }

    /// The same CPU read two ways (its `cpuid -r` dump, a cpuinfo copy) agrees on every
    /// capability both can see, except where firmware or Linux disagree with the silicon.
    @Test func cpuinfoAndDumpOfTheSameCPUAgree() throws {
        let flags = Self.cpuinfoHost()
        let dump = try FleetFixtures.host(FleetFixtures.zen3)
        let both = flags.known.intersection(dump.known)
        let disagree = both.indices.filter { flags.present.contains($0) != dump.present.contains($0) }
            .map { GuestCapability.catalogue[$0].name }
        // Linux shows CET shadow stacks only when it enables them (6.6+), and SEV-SNP only with
        // firmware support: the flags say "usable here", the dump says "in the silicon".
        #expect(disagree == ["shstk", "sev_snp"])
    }

    @Test func leaf7SubleafBeyondTheCPUsRangeReadsAbsent() throws {
        // CPUID.(07H,0):EAX = 0 says subleaf 1 does not exist; a stale record for it is ignored.
        let table = CPUIDTable(cpu: 0, leaves: [
            CPUIDLeaf(leaf: 0, eax: 7, ebx: 0x756e_6547, ecx: 0x6c65_746e, edx: 0x4965_6e69),
            CPUIDLeaf(leaf: 7, subleaf: 0, eax: 0, ebx: 1 << 16, ecx: 0, edx: 0),
            CPUIDLeaf(leaf: 7, subleaf: 1, eax: 1 << 4, ebx: 0, ecx: 0, edx: 0),
        ])
        let snapshot = Snapshot(source: SourceInfo(kind: .files, paths: ["t"]),
                                cpuid: CPUIDEvidence(source: "t", status: .ok, cpus: [table]))
        let h = HostCapabilities(snapshot: snapshot, label: "t")
        #expect(h.present.contains(GuestCapability.indexByName["avx512f"]!))
        #expect(!h.present.contains(GuestCapability.indexByName["avx_vnni"]!))
        #expect(h.known.contains(GuestCapability.indexByName["avx_vnni"]!))
    }
}
