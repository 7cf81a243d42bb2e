/// What the running kernel says about virtualization: release, command line and the KVM
/// family of modules with their parameters (nested, ept, npt, enable_shadow_vmcs, ...).
public struct KernelEvidence: Codable, Sendable, Hashable {
    /// `uname -r`.
    public var release: String?
    /// /proc/cmdline.
    public var commandLine: TextEvidence?
    /// kvm, kvm_intel, kvm_amd, kvm_pvm and any other `kvm*` module present in /sys/module.
    public var modules: [KernelModule]
    /// Every name in /sys/module, so rules can tell "not loaded" from "not read".
    public var loadedModules: [String]?
    /// Whether /dev/sev exists (AMD PSP driver: SEV/SEV-SNP guests need it); nil when not looked at.
    public var sevDevicePresent: Bool?
    /// /proc/xen/capabilities (xenfs): `control_d` in Xen's control domain; nil when not looked at.
    public var xenCapabilities: TextEvidence?
    /// /sys/hypervisor/type (`xen` in a Xen domain); nil when absent.
    public var hypervisorType: String?
    /// /sys/hypervisor/properties/capabilities: the guest types Xen can run; nil when absent.
    public var hypervisorCapabilities: String?
    /// /sys/hypervisor/guest_type (`PV`, `PVH`, `HVM`); nil when absent.
    public var hypervisorGuestType: String?

    public init(release: String?, commandLine: TextEvidence?, modules: [KernelModule], loadedModules: [String]?,
                sevDevicePresent: Bool? = nil, xenCapabilities: TextEvidence? = nil, hypervisorType: String? = nil,
                hypervisorCapabilities: String? = nil, hypervisorGuestType: String? = nil) {
        self.release = release
        self.commandLine = commandLine
        self.modules = modules
        self.loadedModules = loadedModules
        self.sevDevicePresent = sevDevicePresent
        self.xenCapabilities = xenCapabilities
        self.hypervisorType = hypervisorType
        self.hypervisorCapabilities = hypervisorCapabilities
        self.hypervisorGuestType = hypervisorGuestType
    }

    public func module(_ name: String) -> KernelModule? { modules.first { $0.name == name } }
}
