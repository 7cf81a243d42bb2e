import HostModel
import VirtCheckData

/// Judges Popek and Goldberg's condition for a host from Data/tables/popek_goldberg.tsv, the
/// CPU's features and, where they ran, the CPL3 probes. CPUID alone is enough for the verdict
/// (offline input): the probes only confirm it and show what the kernel does about the gaps.
public enum PopekGoldbergAnalyzer {
    /// MSR_PLATFORM_INFO (0xCE) bit 31: CPUID faulting supported (Intel; linux msr-index.h).
    static let platformInfo: UInt32 = 0xCE

    public static func analyze(_ f: HostFacts) -> PopekGoldbergAnalysis {
        let hw: String? = f.features["vmx"] == true ? "vmx" : f.features["svm"] == true ? "svm" : nil
        let umip = f.features["umip"] ?? f.kernelFlags.map { $0.contains("umip") }
        let cpuidFaulting = cpuidFaulting(f)
        let have: [String: Bool?] = ["umip": umip, "cpuid-faulting": cpuidFaulting, "tsd": true, "pce": true, "iopl": true,
                                     "hw-virt": hw != nil]
        let probes = f.cpl3Probes?.results ?? []
        let instructions = DataTables.popekGoldberg.rows.map { row -> PopekGoldbergAnalysis.Instruction in
            let closers = (row["closers"] ?? "-").split(ascii: ",").map(String.init).filter { $0 != "-" }
            // Feature closers other than VT-x/AMD-V, present here; tsd/pce/iopl are OS settings any VMM may use.
            let closedHere = closers.filter { $0 != "hw-virt" && have[$0] == true }
            let cpl3 = row["cpl3"] ?? "-"
            let sensitive = row["class"] != "innocuous" && row["class"] != "privileged"
            let probeNames = (row["probe"] ?? "-").split(ascii: ",").map(String.init)
            let seen = probes.filter { probeNames.contains($0.probe) }.map(\.outcome.rawValue)
            return PopekGoldbergAnalysis.Instruction(
                instruction: row["instruction"] ?? "?", sensitivity: row["class"] ?? "?", cpl3: cpl3,
                probed: seen.isEmpty ? nil : Set(seen).sorted().joined(separator: ","), closers: closers,
                closedHere: closedHere, gap: sensitive && cpl3 != "trap" && closedHere.isEmpty,
                why: row["why"] ?? "", vmx: row["vmx"] ?? "", svm: row["svm"] ?? "", source: row["source"] ?? "")
        }
        let remaining = instructions.filter(\.gap).map(\.instruction)
        let holdsWith: Bool? = hw != nil ? true : (f.features.isEmpty ? nil : false)
        var summary = remaining.isEmpty
            ? "Every sensitive instruction traps at CPL>0 on this CPU."
            : "\(remaining.count) sensitive instructions do not trap at CPL>0 here (\(remaining.joined(separator: ", "))): classic trap-and-emulate cannot virtualize this CPU."
        switch hw {
        case "vmx"?: summary += " VT-x runs the guest kernel at its own CPL0 and exits on the rest: the condition holds with it."
        case "svm"?: summary += " AMD-V runs the guest kernel at its own CPL0 and intercepts the rest: the condition holds with it."
        default: summary += f.features.isEmpty ? " Whether VT-x/AMD-V is present is unknown." : " No VT-x/AMD-V is offered to close them."
        }
        return PopekGoldbergAnalysis(hardwareVirtualization: hw, umip: umip, cpuidFaulting: cpuidFaulting,
                                     probed: !probes.isEmpty, remainingWithoutHardware: remaining,
                                     holdsWithoutHardware: remaining.isEmpty, holdsWithHardware: holdsWith,
                                     summary: summary, instructions: instructions)
    }

    /// Intel MSR_PLATFORM_INFO[31] where read, else Linux's `cpuid_fault` flag (set for Intel's
    /// MSR and AMD's CpuidUserDis alike); nil when neither evidence exists.
    static func cpuidFaulting(_ f: HostFacts) -> Bool? {
        if let value = f.msr(platformInfo)?.value { return value >> 31 & 1 == 1 }
        return f.kernelFlags.map { $0.contains("cpuid_fault") }
    }
}
