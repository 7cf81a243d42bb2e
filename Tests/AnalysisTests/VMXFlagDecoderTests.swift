import Analysis
import HostModel
import Testing

/// The cpuinfo `vmx flags` fallback (names from Linux arch/x86/include/asm/vmxfeatures.h).
@Suite struct VMXFlagDecoderTests {
    /// `vmx flags` of an 11th Gen Intel Core i7-1165G7 (Tiger Lake) under Linux 6.2, from
    /// util-linux tests/ts/lscpu/dumps/x86_64-64cpu-linux6.2.tar.gz (member proc/cpuinfo),
    /// util-linux commit 39465c780eed56034ed1440068a2722fc3331343 (GPL-2.0-or-later test data).
    static let tigerLakeI7_1165G7 = "vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple pml ept_mode_based_exec tsc_scaling"

    /// `vmx flags` of an Intel Core Ultra 9 285 (Arrow Lake), from archspec/archspec-json
    /// tests/targets/linux-ubuntu24.04-alderlake at commit 90b453f4053b6b139d1d2cb78c463b02e71ef363
    /// (Apache-2.0 OR MIT).
    static let arrowLakeUltra9_285 = "vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple shadow_vmcs pml ept_violation_ve ept_mode_based_exec tsc_scaling usr_wait_pause notify_vm_exiting ipi_virt"

    static func flags(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    /// Linux's reading of an i7-1165G7's MSRs and ours of another i7-1165G7's (the InstLatx64
    /// dump) must agree on every capability both speak about.
    @Test func agreesWithTheMSRsOfTheSameModel() throws {
        let fromFlags = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: nil, vmxFlags: Self.flags(Self.tigerLakeI7_1165G7)))
        #expect(fromFlags.source == .cpuinfo)
        let fixture = try VMXFixture.load("GenuineIntel00806C1_TigerLake_CPUID3")
        #expect(fixture.brand.contains("i7-1165G7"))
        let fromMSRs = try #require(fixture.facts)
        var compared = 0
        for (label, flagValue) in VMXCorpusTests.capabilities(fromFlags) {
            guard let flagValue else { continue }
            let msrValue = VMXCorpusTests.capabilities(fromMSRs).first { $0.0 == label }?.1
            #expect(msrValue == flagValue, "\(label)")
            compared += 1
        }
        #expect(compared == 12)
        // cpuinfo names neither VM functions nor tertiary controls here: unknown, not false.
        #expect(fromFlags.vmfunc == nil && fromFlags.tertiaryControls == nil && fromFlags.ept5level == nil)
        #expect(fromFlags.vmcsShadowing == false)
    }

    @Test func printedOnlyFeaturesProvePresence() throws {
        let facts = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: nil, vmxFlags: Self.flags(Self.arrowLakeUltra9_285)))
        #expect(facts.tertiaryControls == true)   // ipi_virt is a tertiary control
        #expect(facts.vmfunc == nil)              // no eptp_switching printed
        #expect(facts.ept5level == nil)           // a kernel before ept_5level existed says nothing
        #expect(facts.vmcsShadowing == true && facts.pml == true && facts.mbec == true)
        #expect(facts.controls == nil && facts.basic == nil)

        let newer = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: nil, vmxFlags: ["ept", "ept_5level", "eptp_switching"]))
        #expect(newer.ept5level == true && newer.vmfunc == true)
        let noEPT = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: nil, vmxFlags: ["vnmi", "preemption_timer"]))
        #expect(noEPT.ept == false && noEPT.ept5level == false && noEPT.unrestrictedGuest == false)
        #expect(noEPT.preemptionTimer == true)
    }

    /// The MSRs win when readable; cpuinfo is used when IA32_VMX_BASIC is not.
    @Test func msrsArePreferredAndCpuinfoIsTheFallback() throws {
        let fixture = try VMXFixture.load("GenuineIntel00006F6_Conroe_CPUID")
        let both = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: fixture.msrs, vmxFlags: ["ept", "vpid"]))
        #expect(both.source == .msr && both.ept == false)

        let denied = MSREvidence.CPU(cpu: 0, reads: [MSRRead(index: 0x480, status: .denied), MSRRead(index: 0x3A, status: .ok, value: 5)])
        let fallback = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: denied, vmxFlags: ["ept", "vpid"]))
        #expect(fallback.source == .cpuinfo && fallback.ept == true && fallback.vpid == true)
        #expect(fallback.featureControl?.locked == true)
    }
}
