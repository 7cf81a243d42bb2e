/// What VFIO the kernel offers: /dev/vfio and the vfio modules (loaded or built in), with
/// `vfio_iommu_type1.allow_unsafe_interrupts`, which gives up interrupt isolation.
public struct VFIOEvidence: Codable, Sendable, Hashable {
    /// `/dev/vfio/vfio` exists.
    public var containerNode: Bool
    /// Names in /sys/module that start with `vfio`; nil when /sys/module could not be listed.
    public var modules: [String]?
    /// The parameter as read (`Y`/`N`); nil when vfio_iommu_type1 is not there.
    public var allowUnsafeInterrupts: String?

    public init(containerNode: Bool, modules: [String]?, allowUnsafeInterrupts: String?) {
        self.containerNode = containerNode
        self.modules = modules
        self.allowUnsafeInterrupts = allowUnsafeInterrupts
    }
}
