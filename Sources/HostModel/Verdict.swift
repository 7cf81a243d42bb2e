/// The one-line answer: can this host run accelerated (KVM-class) VMs, and through what.
/// Pure emulation (QEMU TCG) is always possible and does not count.
public struct Verdict: Codable, Sendable, Hashable {
    public enum Acceleration: String, Codable, Sendable, Hashable {
        /// A guest ran through VT-x/AMD-V (kvm_intel, kvm_amd).
        case hardware
        /// A guest ran through a software backend such as kvm_pvm, with no VT-x/AMD-V exposed.
        case softwareNested = "software-nested"
        /// A run was tried and no guest can run.
        case none
        /// No run was possible (offline input, --no-guest).
        case unknown
    }

    public var canRunVms: Bool?
    public var acceleration: Acceleration
    public var summary: String

    public init(canRunVms: Bool?, acceleration: Acceleration, summary: String) {
        self.canRunVms = canRunVms
        self.acceleration = acceleration
        self.summary = summary
    }
}
