/// One MSR whose compared bits are not the same on every logical CPU read, or that could not be
/// read on some CPUs while the reference CPU's read succeeded. KVM checks each online CPU when it
/// loads (linux arch/x86/kvm/x86.c kvm_x86_vendor_init() runs the vendor's check_processor_compat
/// on every CPU): kvm_intel compares each CPU's VMCS configuration, built from the VMX capability
/// MSRs, with the boot CPU's ("Inconsistent VMCS config on CPU %d") and finds VMX disabled in
/// IA32_FEATURE_CONTROL per CPU; kvm_amd reads VM_CR on each. So one CPU set up differently keeps
/// the module from loading on the whole host, and a rule reading CPU 0 alone would pass it.
public struct MSRDifference: Codable, Sendable, Hashable {
    /// One CPU's value where its compared bits differ from the reference CPU's.
    public struct CPUValue: Codable, Sendable, Hashable {
        public var cpu: Int
        public var value: UInt64

        public init(cpu: Int, value: UInt64) {
            self.cpu = cpu
            self.value = value
        }
    }

    public var index: UInt32
    /// The CPU compared against: the lowest-numbered CPU whose read succeeded (the boot CPU,
    /// whose configuration KVM takes as the reference, where it was read).
    public var referenceCPU: Int
    public var referenceValue: UInt64
    /// CPUs whose compared bits equal the reference's, the reference among them, ascending.
    public var matching: [Int]
    /// CPUs whose compared bits differ from the reference CPU's, ascending.
    public var differing: [CPUValue]
    /// CPUs on which this MSR was not read (virtcheck's deadline, a failed open or read), with why,
    /// ascending: what they hold is unknown, so a comparison that found no difference is incomplete.
    public var unread: [Int]
    /// Why the first unread CPU was not read (`not read: …`); nil when every CPU was read.
    public var unreadReason: String?

    public init(index: UInt32, referenceCPU: Int, referenceValue: UInt64, matching: [Int], differing: [CPUValue], unread: [Int], unreadReason: String?) {
        self.index = index
        self.referenceCPU = referenceCPU
        self.referenceValue = referenceValue
        self.matching = matching
        self.differing = differing
        self.unread = unread
        self.unreadReason = unreadReason
    }

    /// The CPUs read, each with the value that decides it (the reference's for the matching ones),
    /// ascending by CPU.
    public var values: [CPUValue] {
        (matching.map { CPUValue(cpu: $0, value: referenceValue) } + differing).sorted { $0.cpu < $1.cpu }
    }
}
