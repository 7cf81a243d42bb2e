/// One PCI function, decoded: identity with names, where it sits, what it can do for
/// assignment (reset, interrupts, ACS) and the verdict. The report's `pci.devices[]`.
public struct PCIDeviceFacts: Codable, Sendable, Hashable {
    /// `0000:01:00.0`.
    public var address: String
    /// Four hex digits, `10de`.
    public var vendorId: String?
    public var deviceId: String?
    /// Base class and subclass, four hex digits (`0300`).
    public var `class`: String?
    /// Vendor and device name from pci.ids (`NVIDIA Corporation GP108 [GeForce GT 1030]`); nil if unnamed.
    public var name: String?
    public var className: String?
    public var iommuGroup: Int?
    public var driver: String?
    public var numaNode: Int?
    public var header: PCIHeader?
    public var capabilities: PCICapabilities?
    /// ACS as the function reports it; nil when absent or unread (see `capabilities.extendedRead`).
    public var acs: PCICapabilities.ACS?
    /// Function Level Reset through PCIe or Advanced Features; nil when that part of config space was unread.
    public var flr: Bool?
    /// The kernel's `reset_method` list (`flr`, `af_flr`, `pm`, `bus`, ...), or derived from the
    /// capabilities when the kernel predates that file (then nil if not derivable).
    public var resetMethods: [String]?
    /// Whether `resetMethods` came from the kernel (`sysfs`) or from config space (`config`).
    public var resetMethodsSource: String?
    public var msi: Bool?
    public var msix: Bool?
    /// Bridges from the root down to this function's parent, nearest last.
    public var upstream: [String]
    /// Per-source problems (malformed sysfs value, broken capability list); the rest still counts.
    public var errors: [String]
    public var passthrough: PassthroughVerdict?

    public init(address: String, vendorId: String?, deviceId: String?, class: String?, name: String?, className: String?,
                iommuGroup: Int?, driver: String?, numaNode: Int?, header: PCIHeader?, capabilities: PCICapabilities?,
                resetMethods: [String]?, resetMethodsSource: String?, upstream: [String] = [], errors: [String] = [],
                passthrough: PassthroughVerdict? = nil) {
        self.address = address
        self.vendorId = vendorId
        self.deviceId = deviceId
        self.class = `class`
        self.name = name
        self.className = className
        self.iommuGroup = iommuGroup
        self.driver = driver
        self.numaNode = numaNode
        self.header = header
        self.capabilities = capabilities
        acs = capabilities?.acs
        flr = capabilities.flatMap { caps in
            if caps.express?.flr == true || caps.advancedFeaturesFlr == true { return true }
            return caps.standardRead ? false : nil
        }
        self.resetMethods = resetMethods
        self.resetMethodsSource = resetMethodsSource
        msi = capabilities.flatMap { $0.msi != nil ? true : ($0.standardRead ? false : nil) }
        msix = capabilities.flatMap { $0.msix != nil ? true : ($0.standardRead ? false : nil) }
        self.upstream = upstream
        self.errors = errors
        self.passthrough = passthrough
    }

    /// `bus:device` part of the address with domain, `0000:01:00`: functions sharing it are one device.
    public var slot: String { address.split(ascii: ".").first.map(String.init) ?? address }
    /// The base class and subclass as a number (`0x0604` for a PCI-to-PCI bridge).
    public var classValue: Int? { self.class.flatMap { Int($0, radix: 16) } }
    /// PCI-to-PCI bridges (0604, 0609): VFIO lets them stay with the host (pcieport or no driver),
    /// so they do not spoil a group.
    public var isPCIBridge: Bool { classValue == 0x0604 || classValue == 0x0609 }
    /// Any bridge class (host, ISA, PCI-to-PCI, ...): platform plumbing, never assigned to a guest.
    public var isBridgeClass: Bool { classValue.map { $0 >> 8 == 0x06 } ?? false }
}
