/// Xen's own account of the domain this OS runs in, read where Linux publishes it: xenfs's
/// /proc/xen/capabilities holds `control_d` only in the control domain (dom0) - Linux
/// drivers/xen/xenfs/super.c capabilities_read() writes it when xen_initial_domain() - and
/// /sys/hypervisor/properties/capabilities (drivers/xen/sys-hypervisor.c, XENVER_capabilities)
/// lists what Xen can run: `hvm-3.0-x86_64` and its siblings appear only when Xen enabled HVM
/// (xen/arch/x86/setup.c arch_get_xen_caps()). A CPUID dump says none of this.
public struct XenFacts: Codable, Sendable, Hashable {
    /// True when /proc/xen/capabilities lists `control_d`; false when it was read without it;
    /// nil when it was not read (no xenfs, not Xen, or offline input). lscpu says the same from
    /// that file: "Hypervisor vendor: Xen" with "Virtualization type: none" in dom0 (util-linux
    /// lscpu-virt.c), `para` or `full` in a guest.
    public var controlDomain: Bool?
    /// Where `controlDomain` was read: `/proc/xen/capabilities` or `lscpu`.
    public var controlDomainSource: String?
    /// /sys/hypervisor/type (`xen` in any Xen domain); nil when absent.
    public var hypervisorType: String?
    /// The words of /sys/hypervisor/properties/capabilities; nil when not read.
    public var capabilities: [String]?
    /// /sys/hypervisor/guest_type (`PV`, `PVH`, `HVM`; Linux 4.15+); dom0 is never `HVM`.
    public var guestType: String?

    public init(controlDomain: Bool?, controlDomainSource: String? = nil, hypervisorType: String?, capabilities: [String]?,
                guestType: String? = nil) {
        self.controlDomain = controlDomain
        self.controlDomainSource = controlDomainSource
        self.hypervisorType = hypervisorType
        self.capabilities = capabilities
        self.guestType = guestType
    }

    /// The HVM guest types Xen reports it can run (`hvm-3.0-x86_64`, ...); nil when unread.
    public var hvmCapabilities: [String]? {
        capabilities.map { $0.filter { $0.hasPrefix("hvm-") } }
    }

    /// Nothing Xen-specific was found.
    public var isEmpty: Bool { controlDomain == nil && hypervisorType == nil && capabilities == nil && guestType == nil }
}
