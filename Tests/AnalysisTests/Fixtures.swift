import Foundation
import HostModel
@testable import Analysis

/// Builds inputs for rule tests: real captured dumps from `Fixtures/` (see PROVENANCE.md) run
/// through the same parsers and decoder as `--from`, or facts written out in code where a rule
/// needs a situation no dump shows (an MSR denied, a module parameter).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
    }

    /// A host given as captured files: a `cpuid -r` dump, optionally an MSR listing and cpuinfo.
    static func snapshot(cpuid: String, msr: String? = nil, cpuinfo: String? = nil) throws -> Snapshot {
        var paths = ["cpuid/\(cpuid).txt"]
        let dump = try CPUIDDumpParser.parse(try text("cpuid/\(cpuid).txt"), source: "cpuid/\(cpuid).txt")
        var msrs: MSREvidence?
        if let msr {
            paths.append("msr/\(msr).txt")
            msrs = try MSRListingParser.parse(try text("msr/\(msr).txt"), source: "msr/\(msr).txt")
        }
        let info = cpuinfo.map { TextEvidence(source: "cpuinfo", status: .ok, text: $0) }
        return Snapshot(source: SourceInfo(kind: .files, paths: paths), cpuid: dump, cpuinfo: info, msrs: msrs)
    }

    static func assess(cpuid: String, msr: String? = nil, policy: Policy = Policy()) throws -> Assessment {
        Assessor.assess(try snapshot(cpuid: cpuid, msr: msr), policy: policy)
    }

    /// Facts of a hypothetical host, starting from "bare-metal CPU of this vendor with nothing else known".
    static func facts(vendor: String = "GenuineIntel", family: Int = 6, model: Int = 0x55, brand: String = "Intel(R) Xeon(R) Gold 6148 CPU",
                      features: [String: Bool] = ["vmx": true, "svm": false, "hypervisor": false, "nx": true, "lm": true],
                      hypervisor: HypervisorFacts = HypervisorFacts(present: false), vmx: VMXFacts? = nil, svm: SVMFacts? = nil,
                      sev: SEVFacts? = nil, kernelFlags: [String]? = nil, kernelRelease: String? = nil,
                      kvm: KVMFacts = offlineKVM, modules: [KernelModule]? = nil, sevDevice: Bool? = nil, msrs: [MSRRead]? = nil) -> HostFacts {
        HostFacts(identity: CPUIdentity(vendor: vendor, family: family, model: model, stepping: 4, signature: 0x5_0654, brand: brand),
                  hypervisor: hypervisor, features: features, kernelFlags: kernelFlags, kernelVmxFlags: nil, vmx: vmx, svm: svm, sev: sev,
                  kvm: kvm, cpuDifferences: [], kernelRelease: kernelRelease, root: nil, kernelModules: modules, sevDevice: sevDevice, msrs: msrs)
    }

    static func amd(features: [String: Bool] = ["vmx": false, "svm": true, "hypervisor": false, "nx": true, "lm": true], svm: SVMFacts? = svmFacts(),
                    sev: SEVFacts? = nil, hypervisor: HypervisorFacts = HypervisorFacts(present: false), kvm: KVMFacts = offlineKVM,
                    modules: [KernelModule]? = nil, sevDevice: Bool? = nil, msrs: [MSRRead]? = nil) -> HostFacts {
        facts(vendor: "AuthenticAMD", family: 25, model: 0x11, brand: "AMD EPYC 9654 96-Core Processor", features: features,
              hypervisor: hypervisor, svm: svm, sev: sev, kvm: kvm, modules: modules, sevDevice: sevDevice, msrs: msrs)
    }

    static func svmFacts(nestedPaging: Bool = true, avic: Bool = true, tscRate: Bool = true, disabled: Bool? = nil, locked: Bool? = nil) -> SVMFacts {
        var s = SVMFacts(revision: 1, nasid: 0x8000)
        s.nestedPaging = nestedPaging; s.lbrVirt = true; s.svmLock = true; s.nripSave = true; s.tscRateMsr = tscRate
        s.vmcbClean = true; s.flushByAsid = true; s.decodeAssists = true; s.pauseFilter = true; s.pauseFilterThreshold = true
        s.avic = avic; s.vmsaveVirt = true; s.vgif = true; s.x2avic = true; s.disabledByBios = disabled; s.vmcrLocked = locked
        return s
    }

    /// VT-x facts where every capability is `value` (nil: no source says).
    static func vmxFacts(_ value: Bool?, source: VMXFacts.Source = .msr, featureControl: VMXFacts.FeatureControl? = nil) -> VMXFacts {
        var v = VMXFacts(source: value == nil ? .none : source)
        v.featureControl = featureControl
        v.ept = value; v.vpid = value; v.unrestrictedGuest = value; v.vmcsShadowing = value; v.postedInterrupts = value
        v.apicRegisterVirtualization = value; v.virtualInterruptDelivery = value; v.pml = value; v.ept5level = value
        v.tscScaling = value; v.preemptionTimer = value
        v.basic = value.map { VMXFacts.Basic(revisionId: 4, vmcsSize: 4096, physicalAddressWidth32: false, dualMonitor: true, memoryType: 6,
                                             insOutsInfo: $0, trueControls: true, noErrorCodeRequirement: false) }
        return v
    }

    static let offlineKVM = KVMFacts(device: .init(present: nil, accessible: nil), apiVersion: nil, backend: nil,
                                     nested: .init(enabled: nil, vmx: nil, svm: nil), capabilities: [:], guestRun: nil)

    static let okRun = GuestRunEvidence(ok: true, runs: [GuestModeRun(mode: "real", ok: true, expected: 1, observed: 1, exits: [], detail: nil),
                                                         GuestModeRun(mode: "long64", ok: true, expected: 2, observed: 2, exits: [], detail: nil)],
                                        exitLatencyNs: nil, timedOut: false, error: nil)

    /// This workplace: a KVM guest whose KVM comes from kvm_pvm; the guest ran, and
    /// KVM_GET_SUPPORTED_CPUID offers neither VMX nor SVM.
    static func pvmGuest(run: GuestRunEvidence? = okRun) -> HostFacts {
        var f = amd(features: ["vmx": false, "svm": false, "hypervisor": true], svm: nil,
                    hypervisor: HypervisorFacts(present: true, signature: "KVMKVMKVM", name: "KVM", maxLeaf: 0x4000_0001),
                    kvm: KVMFacts(device: .init(present: true, accessible: true), apiVersion: 12, backend: "kvm_pvm",
                                  nested: .init(enabled: nil, vmx: false, svm: false), capabilities: [:], guestRun: run),
                    modules: [KernelModule(name: "kvm", parameters: []), KernelModule(name: "kvm_pvm", parameters: [])], sevDevice: false)
        f.kernelRelease = "6.18.44"
        return f
    }

    static func findings(_ f: HostFacts, kind: SourceInfo.Kind = .files) -> [Finding] {
        RuleEngine.findings(f, source: SourceInfo(kind: kind))
    }

    static func finding(_ id: String, _ f: HostFacts, kind: SourceInfo.Kind = .files) throws -> Finding {
        guard let found = findings(f, kind: kind).first(where: { $0.id == id }) else { throw FixtureError.noFinding(id) }
        return found
    }

    enum FixtureError: Error { case noFinding(String) }
}

extension Assessment {
    func profile(_ id: String) -> ProfileResult? { profiles.first { $0.id == id } }
}
