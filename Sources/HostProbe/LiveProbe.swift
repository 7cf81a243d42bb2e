import FoundationEssentials
import Glibc
import HostModel

/// Collects a snapshot of a host: the running system (`HostRoot.live`) or a captured tree
/// (`--root DIR`), through the same readers. Read-only: it writes no MSR, no sysfs, loads no module.
public enum LiveProbe {
    public struct Options: Sendable {
        /// Also gates the CPL3 instruction probes: both execute code rather than read state.
        public var runGuest: Bool
        /// What the rules declare they read (MSRs, /proc and /sys files, device nodes); the CLI
        /// passes `RuleCatalogue.evidencePlan`, so the probe reads exactly what rules need.
        public var plan: EvidencePlan
        public init(runGuest: Bool, plan: EvidencePlan) {
            self.runGuest = runGuest
            self.plan = plan
        }
    }

    public static func snapshot(root: HostRoot, options: Options) -> Snapshot {
        // One child runs the CPL3 probes and then the guests, beside the reads below.
        let guestRun = options.runGuest && root.isLive ? BackgroundGuestRun(.selfExecutable()) : nil
        let cpus = onlineCpus(root: root)
        // CPUID on each CPU pins a thread to it in turn (the move to another CPU waited 1.4 ms
        // here, and each CPUID is an exit in a VM): a thread of its own does that beside the reads.
        let cpuidRun = BackgroundRun(root: root, cpus: cpus ?? [0])
        let pciRun = BackgroundRun<PCIEvidence>(root: root)
        let cpuinfo = root.readText("/proc/cpuinfo", limit: 16 << 20)
        let msrs = MSRReader.read(root: root, cpus: cpus ?? [0], indices: options.plan.msrs)
        let files = HostFilesReader.read(root: root, plan: options.plan)
        let kernel = KernelReader.read(root: root)
        let iommu = IOMMUProbe.probe(root: root)
        // Last, so the child ran beside everything above.
        let kvm = KVMProbe.probe(root: root, guestRun: guestRun)
        let pci = pciRun.wait()
        let cpl3Probes = guestRun?.wait().cpl3Probes
        var cpuid = cpuidRun.wait()
        if cpuid.status != .ok, !root.isLive, let dump = dumpInTree(root: root) {
            cpuid = dump
        }
        let host = HostEvidence(root: root.isLive ? geteuid() == 0 : nil, onlineCpus: cpus,
                                capturedAt: UTCTimestamp.iso8601(Date()))
        return Snapshot(source: SourceInfo(kind: root.isLive ? .live : .root, paths: root.isLive ? [] : [root.path]),
                        host: host, cpuid: cpuid, cpuinfo: cpuinfo, msrs: msrs, kernel: kernel, kvm: kvm, pci: pci, iommu: iommu, cpl3Probes: cpl3Probes,
                        files: files)
    }

    /// Linux's largest NR_CPUS. A captured tree's `online` file is untrusted: `0-65535` repeated
    /// over 64 KiB would otherwise ask for hundreds of millions of CPUs (memory, and one file
    /// lookup each), so CPU numbers at or beyond this are dropped and duplicates counted once.
    static let maxCpus = InputLimits.maxCpus

    /// /sys/devices/system/cpu/online (`0-3,8`), nil when unreadable.
    static func onlineCpus(root: HostRoot) -> [Int]? {
        guard let text = root.value("/sys/devices/system/cpu/online"), !text.isEmpty else { return nil }
        var online = Set<Int>()
        for part in text.split(ascii: ",") {
            let bounds = part.split(ascii: "-").compactMap { Int($0) }
            guard let low = bounds.first, low >= 0, low < maxCpus, bounds.count <= 2 else { continue }
            let high = bounds.count == 2 ? min(bounds[1], maxCpus - 1) : low
            if low <= high { online.formUnion(low...high) }
        }
        return online.isEmpty ? nil : online.sorted()
    }

    /// A captured tree may carry a `cpuid -r` dump instead of dev/cpu/N/cpuid files.
    static func dumpInTree(root: HostRoot) -> CPUIDEvidence? {
        for name in ["/cpuid-r.txt", "/cpuid.txt", "/cpuid-raw.txt"] {
            let t = root.readText(name, limit: 16 << 20)
            if let text = t.text, let evidence = try? CPUIDDumpParser.parse(text, source: root.rooted(name)) {
                return evidence
            }
        }
        return nil
    }
}
