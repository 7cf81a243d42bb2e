import FoundationEssentials
import Glibc
import HostModel

/// Reads the kernel's side: release, command line, and the KVM modules with their parameters.
public enum KernelReader {
    public static func read(root: HostRoot) -> KernelEvidence {
        let release = root.value("/proc/sys/kernel/osrelease")
        let cmdline = root.readText("/proc/cmdline", limit: 1 << 16)
        let loaded = root.list("/sys/module")
        let kvmNames = (loaded ?? []).filter { $0 == "kvm" || $0.hasPrefix("kvm_") || $0 == "vfio" || $0.hasPrefix("vfio_") || $0 == "msr" }
        let modules = kvmNames.map { name in
            let dir = "/sys/module/\(name)/parameters"
            let params = (root.list(dir) ?? []).map { p -> KernelModule.Parameter in
                let t = root.readText("\(dir)/\(p)", limit: 1 << 16)
                return KernelModule.Parameter(name: p, value: t.text?.trimmed(), status: t.status)
            }
            return KernelModule(name: name, parameters: params)
        }
        // Xen publishes the domain's role and its own abilities here (XenFacts says where from).
        let xen = root.readText("/proc/xen/capabilities", limit: 1 << 12)
        return KernelEvidence(release: release, commandLine: cmdline, modules: modules, loadedModules: loaded,
                              sevDevicePresent: root.exists("/dev/sev"), xenCapabilities: xen.status == .absent ? nil : xen,
                              hypervisorType: root.value("/sys/hypervisor/type"),
                              hypervisorCapabilities: root.value("/sys/hypervisor/properties/capabilities"),
                              hypervisorGuestType: root.value("/sys/hypervisor/guest_type"))
    }

    /// The KVM backend module loaded under /sys/module (kvm_intel, kvm_amd, kvm_pvm), nil when none.
    public static func kvmBackend(root: HostRoot) -> String? {
        (root.list("/sys/module") ?? []).sorted().first { $0.hasPrefix("kvm_") }
    }
}
