import Analysis
import HostModel
import HostProbe

/// One host's capture as `diff` and `baseline` compare it: anything `--from` accepts.
enum FleetInput {
    /// A capture that says nothing about the CPU's features (an MSR listing or an IOMMU group
    /// listing alone, lscpu without its Flags line) is unusable input here, exit 2: compared as
    /// it was, it "offered nothing", so `diff` from it said "migrating A → B is safe" (exit 0) and
    /// a baseline with it disabled every feature down to `-fpu` and `-lm` in its QEMU model.
    static func host(_ path: String) throws(InputError) -> HostCapabilities {
        let snapshot = try OfflineLoader.load(paths: [path])
        let host = HostCapabilities(snapshot: snapshot, label: path)
        guard host.known != .empty else {
            // A snapshot whose cpuinfo or lscpu copy does not parse says why it is silent.
            let unusable = FactsDecoder.cpuTexts(snapshot).unusable
            let why = unusable.isEmpty ? "" : " (unusable: \(unusable.joined(separator: "; ")))"
            throw InputError(path: path, message: "says nothing about the CPU's features\(why); give a `cpuid -r` dump, a /proc/cpuinfo copy, lscpu output with its Flags line, or a snapshot holding one")
        }
        return host
    }
}
