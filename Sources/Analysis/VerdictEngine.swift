import HostModel

/// Decides `verdict`: the guest run speaks first, the backend and CPUID say through what.
/// A module's presence alone never proves anything: flags that claim VT-x with a failed run
/// give `none`, not `hardware`.
public enum VerdictEngine {
    public static func verdict(_ f: HostFacts, source: SourceInfo) -> Verdict {
        let hardwareFlag = f.features["vmx"] == true || f.features["svm"] == true
        guard let run = f.kvm.guestRun else {
            let why: String
            // A snapshot that recorded /dev/kvm absent says so as surely as the live host did, so
            // it gets the live verdict (the same assessment on the host and from its capture).
            if f.kvm.device.present == false {
                return Verdict(canRunVms: false, acceleration: .none,
                               summary: "No accelerated VMs: /dev/kvm does not exist\(hardwareFlag ? " although the CPU reports VT-x/AMD-V (load kvm_intel/kvm_amd)" : "").")
            } else if source.kind != .live && source.kind != .root {
                why = "captured input: no guest could be run"
            } else if f.kvm.device.accessible == false {
                why = "this user cannot open /dev/kvm"
            } else {
                why = "the guest run was skipped"
            }
            let cpu = hardwareFlag ? "the CPU reports \(f.features["vmx"] == true ? "VT-x" : "AMD-V")" : "the CPU reports neither VT-x nor AMD-V"
            return Verdict(canRunVms: nil, acceleration: .unknown, summary: "Unknown: \(why); \(cpu).")
        }
        guard run.ok else {
            return Verdict(canRunVms: false, acceleration: .none,
                           summary: "No accelerated VMs: the test guest \(run.timedOut ? "timed out" : "failed") (\(run.error ?? "see kvm.guest-run")).")
        }
        let backend = f.kvm.backend ?? "an unknown backend"
        if ["kvm_intel", "kvm_amd"].contains(backend) && hardwareFlag {
            return Verdict(canRunVms: true, acceleration: .hardware,
                           summary: "Yes: a guest ran through \(backend) with \(f.features["vmx"] == true ? "VT-x" : "AMD-V").")
        }
        return Verdict(canRunVms: true, acceleration: .softwareNested,
                       summary: "Yes: a guest ran through \(backend), a software KVM backend, although the CPU exposes no VT-x/AMD-V\(f.hypervisor.present ? " (hidden by \(f.hypervisor.name ?? "the outer hypervisor"))" : "").")
    }
}
