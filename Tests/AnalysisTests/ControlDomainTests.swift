import HostModel
import Testing
@testable import Analysis

/// Control domains: an OS beneath which a hypervisor runs VMs for it. The Hyper-V root partition
/// is read from real CPUID dumps of Windows hosts with Hyper-V on (RJCP corpus); no Xen dom0
/// capture exists in the corpus, so dom0 is given as the files Linux publishes there, written out
/// in the kernel's formats (drivers/xen/xenfs/super.c, drivers/xen/sys-hypervisor.c).
struct ControlDomainTests {
    static func profile(_ id: String, _ a: Assessment) throws -> ProfileResult {
        try #require(a.profiles.first { $0.id == id })
    }

    @Test(arguments: ["hyperv-root-i7-2630qm", "hyperv-root-i7-6600u"])
    func hyperVRootRunsHyperVVMwareAndVirtualBoxThroughWHP(_ dump: String) throws {
        let a = try Fixtures.assess(cpuid: dump)
        #expect(a.finding("cpu.vmx")?.status == .fail)
        #expect(a.finding("host.hyperv-root")?.status == .pass)
        #expect(a.finding("host.hyperv-root")?.summary.contains("Windows Hypervisor Platform") == true)
        for id in ["hyper-v", "vmware", "virtualbox"] {
            let p = try Self.profile(id, a)
            #expect(p.status == .pass, "\(id): \(p)")
            #expect(p.cpu == .pass, "\(id)")
            #expect(p.via == ["host.hyperv-root"], "\(id)")
        }
        // What needs VT-x itself cannot run beside Hyper-V.
        for id in ["kvm", "bhyve", "xen-hvm", "parallels", "vmware-esxi"] {
            let p = try Self.profile(id, a)
            #expect(p.cpu == .fail, "\(id)")
            #expect(p.via == nil, "\(id)")
        }
        #expect(a.finding("cpu.vmx")?.remediation?.contains("Windows Hypervisor Platform") == true)
    }

    /// A Hyper-V guest is no root partition: nothing runs through WHP there.
    @Test func aHyperVGuestGetsNoWHPPass() throws {
        var f = Fixtures.facts(features: ["vmx": false, "svm": false, "hypervisor": true, "nx": true, "lm": true],
                               hypervisor: HypervisorFacts(present: true, signature: "Microsoft Hv", name: "Microsoft Hyper-V", maxLeaf: 0x4000_000B))
        f.hypervisor.hyperVRootPartition = false
        let results = ProfileEvaluatorTests.assess(f, kind: .files)
        #expect(try ProfileEvaluatorTests.result("hyper-v", results).cpu == .fail)
        #expect(try ProfileEvaluatorTests.result("vmware", results).via == nil)
    }

    static func dom0(capabilities: String?, control: String = "control_d\n") -> Snapshot {
        // Xen hides VT-x from dom0's CPUID and sets the hypervisor bit; the kernel flags say the same.
        let cpuinfo = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 85
            model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz
            flags\t\t: fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ss ht syscall nx lm constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm

            """
        let kernel = KernelEvidence(release: "6.1.0-18-amd64", commandLine: nil, modules: [], loadedModules: ["xen_gntdev", "xenfs"],
                                    xenCapabilities: TextEvidence(source: "/proc/xen/capabilities", status: .ok, text: control),
                                    hypervisorType: "xen", hypervisorCapabilities: capabilities, hypervisorGuestType: "PV")
        return Snapshot(source: SourceInfo(kind: .root, paths: ["dom0"]), cpuinfo: TextEvidence(source: "/proc/cpuinfo", status: .ok, text: cpuinfo),
                        kernel: kernel)
    }

    @Test func xenDom0RunsHVMThroughXenAndNotKVM() throws {
        let a = Assessor.assess(Self.dom0(capabilities: "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"))
        #expect(a.facts.xen?.controlDomain == true)
        let dom0 = try #require(a.finding("host.xen-dom0"))
        #expect(dom0.status == .pass)
        #expect(dom0.summary.contains("hvm-3.0-x86_64"))
        let xen = try Self.profile("xen-hvm", a)
        #expect(xen.status == .pass)
        #expect(xen.via == ["host.xen-dom0"])
        #expect(try Self.profile("kvm", a).cpu == .fail)
        #expect(try Self.profile("vmware", a).cpu == .fail)
        #expect(try Self.profile("virtualbox", a).cpu == .fail)
        // The remedy for the hidden VT-x speaks of dom0, not of nestedhvm=1 for a guest.
        #expect(a.finding("cpu.vmx")?.remediation?.contains("control domain") == true)
    }

    @Test func xenDom0WithoutHVMRunsOnlyPVGuests() throws {
        let a = Assessor.assess(Self.dom0(capabilities: "xen-3.0-x86_64"))
        #expect(a.finding("host.xen-dom0")?.status == .fail)
        let xen = try Self.profile("xen-hvm", a)
        #expect(xen.status == .fail)
        #expect(xen.failed.contains("host.xen-dom0"))
        #expect(try Self.profile("xen-pv", a).status == .pass)
    }

    @Test func aXenGuestDomainIsNoControlDomain() throws {
        let a = Assessor.assess(Self.dom0(capabilities: "xen-3.0-x86_64 hvm-3.0-x86_64", control: ""))
        #expect(a.finding("host.xen-dom0")?.status == .notApplicable)
        #expect(try Self.profile("xen-hvm", a).status == .fail)
    }

    /// A Xen guest's CPUID dump (AWS t2.micro, Firecracker corpus) cannot tell dom0 from domU: unknown, not fail.
    @Test func aXenCPUIDDumpAloneLeavesDom0Unknown() throws {
        let f = Fixtures.facts(features: ["vmx": false, "svm": false, "hypervisor": true, "nx": true, "lm": true],
                               hypervisor: HypervisorFacts(present: true, signature: "XenVMMXenVMM", name: "Xen", maxLeaf: 0x4000_0005))
        let results = ProfileEvaluatorTests.assess(f, kind: .files)
        let xen = try ProfileEvaluatorTests.result("xen-hvm", results)
        #expect(xen.cpu == .unknown)
        #expect(xen.unknown.contains("host.xen-dom0"))
    }

    static func lscpu(_ name: String) throws -> Assessment {
        let text = try Fixtures.text("lscpu/\(name).txt")
        return Assessor.assess(Snapshot(source: SourceInfo(kind: .files, paths: [name]), lscpu: TextEvidence(source: name, status: .ok, text: text)))
    }

    /// A real dom0 (hw-probe lscpu of a Xeon E5-2670 v3 under Xen): lscpu read /proc/xen/capabilities
    /// and said "Virtualization type: none". Xen's HVM ability is not in lscpu: xen-hvm is unknown,
    /// never fail; KVM fails with the dom0 remedy, not "set nestedhvm=1".
    @Test func aRealDom0LscpuIsAControlDomain() throws {
        let a = try Self.lscpu("xen-dom0-xeon-e5-2670v3")
        #expect(a.facts.xen?.controlDomain == true)
        let dom0 = try #require(a.finding("host.xen-dom0"))
        #expect(dom0.status == .unknown)
        #expect(dom0.evidence.contains { $0.source == "lscpu" })
        #expect(try Self.profile("xen-hvm", a).cpu == .unknown)
        #expect(try Self.profile("kvm", a).cpu == .fail)
        let vmx = try #require(a.finding("cpu.vmx"))
        #expect(vmx.status == .fail)
        #expect(vmx.remediation?.contains("control domain") == true)
        #expect(vmx.remediation?.contains("nestedhvm") == false)
    }

    /// A Xen PV guest (lscpu "Virtualization type: para") is no control domain.
    @Test func aRealXenPVGuestLscpuIsNoControlDomain() throws {
        let a = try Self.lscpu("xen-pv-guest-a10-4600m")
        #expect(a.facts.xen?.controlDomain == false)
        #expect(a.finding("host.xen-dom0")?.status == .notApplicable)
        #expect(try Self.profile("xen-hvm", a).cpu == .fail)
        #expect(a.finding("cpu.svm")?.remediation?.contains("control domain") == false)
    }
}
