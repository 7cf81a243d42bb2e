/// One piece of evidence a finding rests on: where it was read, and what it said.
public struct EvidenceItem: Codable, Sendable, Hashable {
    /// `CPUID.01H:ECX[5]`, `MSR 0x3A`, `/proc/cpuinfo flags`, `/sys/module/kvm_pvm`, `guest run`, ...
    public var source: String
    public var detail: String

    public init(source: String, detail: String) {
        self.source = source
        self.detail = detail
    }
}
