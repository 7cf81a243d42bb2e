import Analysis
import HostModel

/// `virtcheck baseline` output: the pool's common set and each host's lacks (text, JSON), or
/// the CPU model alone, ready for a hypervisor (`qemu`: a `-cpu` value; `cpuid`: masks).
public enum BaselineRenderer {
    private struct Document: Encodable {
        var schemaVersion = 1
        var tool = ToolInfo()
        var baseline: BaselineResult
    }

    public static func json(_ result: BaselineResult) throws -> String {
        try ReportEncoder.serialized(Document(baseline: result)) + "\n"
    }

    public static func text(_ r: BaselineResult) -> String {
        var out: [String] = []
        out.append("Pool of \(r.hostCount) host\(r.hostCount == 1 ? "" : "s") (\(r.vendors.isEmpty ? "vendor unknown" : r.vendors.joined(separator: ", ")))")
        out.append("  common to all:   \(r.common.count) capabilities; best host offers \(r.poolBest.count)")
        out.append("  address widths:  \(r.physicalAddressBits.map { "\($0)-bit physical" } ?? "physical unknown"), \(r.linearAddressBits.map { "\($0)-bit linear" } ?? "linear unknown") (narrowest host)")
        if !r.undetermined.isEmpty {
            out.append("  undetermined:    \(r.undetermined.joined(separator: " "))")
        }
        out.append("")
        out.append("Common feature set:")
        out.append("  " + r.common.joined(separator: " "))
        out.append("")
        out.append("Each host against the pool's best:")
        for h in r.hosts {
            let name = "\(Sanitize.line(h.label)) (\(Sanitize.line(h.brand ?? h.vendor ?? "unknown CPU")))"
            out.append("  \(name): " + (h.lacks.isEmpty ? "lacks nothing" : "lacks \(h.lacks.count): \(h.lacks.joined(separator: " "))"))
            if !h.unknown.isEmpty { out.append("      unknown: \(h.unknown.joined(separator: " "))") }
        }
        out.append("")
        out.append("QEMU CPU model for the pool:")
        out.append("  -cpu \(r.cpuModel.qemu)")
        for note in r.cpuModel.notes { out.append("  note: \(note)") }
        return out.joined(separator: "\n") + "\n"
    }

    /// The `-cpu` value alone, one line.
    public static func qemu(_ r: BaselineResult) -> String { r.cpuModel.qemu + "\n" }

    /// The masks in `cpuid -r` syntax: AND each register of a host's leaf with the mask (for
    /// the catalogue's bits) and every host of the pool presents the same features.
    public static func cpuid(_ r: BaselineResult) -> String {
        var out = ["# virtcheck baseline: CPUID masks of the catalogue bits common to \(r.hostCount) host(s)",
                   "# (guest_cpu_features.tsv); AND them with each host's leaf; other bits are not covered."]
        out += r.cpuModel.notes.map { "# note: \($0)" }
        out.append("CPU:")
        for l in r.cpuModel.cpuidMasks {
            out.append("   \(Hex.format32(l.leaf)) 0x\(l.subleaf < 16 ? "0" : "")\(String(l.subleaf, radix: 16)): eax=\(Hex.format32(l.eax)) ebx=\(Hex.format32(l.ebx)) ecx=\(Hex.format32(l.ecx)) edx=\(Hex.format32(l.edx))")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
