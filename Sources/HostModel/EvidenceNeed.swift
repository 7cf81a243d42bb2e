/// One piece of evidence a rule reads, as the rule catalogue declares it (`evidence:` of each rule
/// in Data/rules/catalogue.yaml). The live probe's read lists (`EvidencePlan`), the offline
/// loaders and `virtcheck explain` all derive from these declarations, so a rule cannot come to
/// depend on evidence that nothing collects (Tests/AnalysisTests/EvidenceDeclarationTests holds
/// every rule to it).
///
/// In the catalogue each need is one string, `KIND VALUE`: `cpuid 0x8000000A`, `msr 0x1401`,
/// `cpuinfo-flag npt`, `lscpu-field Virtualization`, `path /sys/kernel/mm/ksm/run`,
/// `device /dev/vhost-net`, `ioctl KVM_RUN`, `probe cpl3`, `kernel-log nested-paging`.
public enum EvidenceNeed: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A CPUID leaf (all its subleaves), read on every logical CPU.
    case cpuid(leaf: UInt32)
    /// A model-specific register, read through /dev/cpu/N/msr or given as an MSR listing.
    case msr(UInt32)
    /// A word of /proc/cpuinfo's `flags` or `vmx flags` line.
    case cpuinfoFlag(String)
    /// A `Key:` line of lscpu output.
    case lscpuField(String)
    /// A file or directory under /proc or /sys (read under `--root DIR` the same way).
    case path(String)
    /// A device node under /dev: whether it exists (and, for some, whether it opens).
    case device(String)
    /// A KVM ioctl on /dev/kvm or a VM/vCPU file descriptor.
    case ioctl(String)
    /// Something virtcheck runs rather than reads: `guest-run` (a test guest), `cpl3` (the
    /// unprivileged instruction probes).
    case probe(String)
    /// A kind of kernel log line (`KernelMessage.Kind`), read from a pasted dmesg or
    /// `journalctl -k`. Offline evidence only: on a live host the same facts come from sysfs.
    case kernelLog(KernelMessage.Kind)

    public enum Kind: String, Sendable, CaseIterable {
        case cpuid, msr, cpuinfoFlag = "cpuinfo-flag", lscpuField = "lscpu-field", path, device, ioctl, probe
        case kernelLog = "kernel-log"
    }

    public var kind: Kind {
        switch self {
        case .cpuid: .cpuid
        case .msr: .msr
        case .cpuinfoFlag: .cpuinfoFlag
        case .lscpuField: .lscpuField
        case .path: .path
        case .device: .device
        case .ioctl: .ioctl
        case .probe: .probe
        case .kernelLog: .kernelLog
        }
    }

    public var description: String {
        switch self {
        case .cpuid(let leaf): "cpuid \(Hex.format32(leaf))"
        case .msr(let index): "msr \(Hex.format32(index))"
        case .cpuinfoFlag(let name), .lscpuField(let name), .path(let name), .device(let name), .ioctl(let name), .probe(let name):
            "\(kind.rawValue) \(name)"
        case .kernelLog(let message): "\(kind.rawValue) \(message.rawValue)"
        }
    }

    /// Why a declaration string is not a need; the catalogue is build data, so this surfaces in tests.
    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "not an evidence need (`KIND VALUE`, KIND one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))): \(text)" }
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(ascii: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]), !parts[1].isEmpty else { throw ParseError(text: text) }
        let value = parts[1]
        func hex() throws(ParseError) -> UInt32 {
            guard value.hasPrefix("0x"), let n = Hex.parse32(Substring(value)) else { throw ParseError(text: text) }
            return n
        }
        switch kind {
        case .cpuid: self = .cpuid(leaf: try hex())
        case .msr: self = .msr(try hex())
        case .cpuinfoFlag: self = .cpuinfoFlag(value)
        case .lscpuField: self = .lscpuField(value)
        case .path:
            guard value.hasPrefix("/proc/") || value.hasPrefix("/sys/") else { throw ParseError(text: text) }
            self = .path(value)
        case .device:
            guard value.hasPrefix("/dev/") else { throw ParseError(text: text) }
            self = .device(value)
        case .ioctl: self = .ioctl(value)
        case .probe: self = .probe(value)
        case .kernelLog:
            guard let message = KernelMessage.Kind(rawValue: value) else { throw ParseError(text: text) }
            self = .kernelLog(message)
        }
    }

    /// One catalogue string as needs: `msr 0x480-0x492` stands for each MSR of the range (the VMX
    /// capability block), any other string for one need.
    public static func list(parsing text: String) throws(ParseError) -> [EvidenceNeed] {
        let parts = text.split(ascii: " ", maxSplits: 1)
        if parts.count == 2, parts[0] == "msr", parts[1].contains("-") {
            let bounds = parts[1].split(ascii: "-")
            guard bounds.count == 2, bounds.allSatisfy({ $0.hasPrefix("0x") }),
                  let low = Hex.parse32(bounds[0]), let high = Hex.parse32(bounds[1]), low <= high, high - low < 64 else {
                throw ParseError(text: text)
            }
            return (low...high).map { EvidenceNeed.msr($0) }
        }
        return [try EvidenceNeed(parsing: text)]
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
