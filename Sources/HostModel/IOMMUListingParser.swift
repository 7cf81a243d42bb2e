/// IOMMU group listings as users paste them from a machine virtcheck cannot run on — every layout
/// the corpus holds (`/work/shared/corpus/iommu-groups`): the Arch wiki loop
/// (`IOMMU Group 1 00:01.0 PCI bridge [0604]: ...`), its two-level variant (`IOMMU Group 1:` then
/// indented devices), `Group 1:  [8086:4c01] [R] 00:01.0 ...` scripts with continuation lines,
/// per-DMAR-unit trees (`IOMMU Group: 50` / `Group Device: 0000:97:00.4`), `find
/// /sys/kernel/iommu_groups` paths, and dmesg (`pci 0000:00:01.0: Adding to iommu group 0`).
/// Alongside: a `/proc/cmdline` line (`BOOT_IMAGE=...`) and the kernel's DMAR / AMD-Vi / IOMMU log
/// lines, which say whether interrupt remapping was enabled.
public enum IOMMUListingParser {
    public struct Listing: Sendable, Hashable {
        public var groups: [IOMMUGroupEvidence]
        public var commandLine: String?
        /// dmesg lines naming DMAR, AMD-Vi or IOMMU, verbatim.
        public var kernelLog: [String]

        public init(groups: [IOMMUGroupEvidence], commandLine: String?, kernelLog: [String]) {
            self.groups = groups
            self.commandLine = commandLine
            self.kernelLog = kernelLog
        }
    }

    /// True when the text names IOMMU groups and holds at least one PCI address.
    public static func looksLikeListing(_ text: Substring) -> Bool {
        let lower = text.lowercased()
        return (lower.contains("iommu group") || lower.contains("iommu_groups") || lower.contains("iommu"))
            && lower.contains("group") && text.inputLines(maxSplits: 200).contains { address(in: $0) != nil }
    }

    public static func parse(_ text: String, source: String) throws(InputError) -> Listing {
        // Device → group, in the order lines come: a device listed twice (a paste of two boots, a
        // README with a listing before and after a change) keeps the later group, the state the
        // user ended with.
        var members: [String: Int] = [:]
        // dmesg's "Adding to iommu group" lines are of the boot the log came from; a listing of
        // sysfs in the same paste is the state now, and wins (the corpus has pastes of both).
        var logged: [String: Int] = [:]
        var current: Int?
        var commandLine: String?
        var log: [String] = []
        for raw in text.inputLines(omittingEmptySubsequences: true) {
            // A listing of 400,000 groups took 32 s and 200 MB to analyse; no host has that many functions.
            if members.count > InputLimits.maxPCIFunctions || logged.count > InputLimits.maxPCIFunctions {
                throw InputError(path: source, message: "more than \(InputLimits.maxPCIFunctions) PCI functions: not one host's IOMMU group listing")
            }
            let line = raw.trimmingWhitespace()
            let lower = Substring(line.lowercased())
            if commandLine == nil, let start = line.firstRange(of: "BOOT_IMAGE=") {
                commandLine = String(line[start.lowerBound...])
                continue
            }
            if lower.contains("dmar") || lower.contains("amd-vi") || lower.contains("iommu") { log.append(String(line)) }
            if let range = lower.firstRange(of: "/sys/kernel/iommu_groups/") {
                let rest = lower[range.upperBound...]
                if let group = Int(rest.prefix { $0.isNumber }), let device = address(in: rest.drop { $0.isNumber }) {
                    members[device] = group
                }
                continue
            }
            if let range = lower.firstRange(of: "adding to iommu group ") {
                if let group = Int(lower[range.upperBound...].prefix { $0.isNumber }), let device = address(in: lower[..<range.lowerBound]) {
                    logged[device] = group
                }
                continue
            }
            if let range = lower.firstRange(of: "group") {
                var rest = lower[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" }
                let digits = rest.prefix { $0.isNumber }
                if let group = Int(digits), rest.dropFirst(digits.count).first.map({ $0 == ":" || $0 == " " || $0 == "\t" }) ?? true {
                    current = group
                    rest = rest.dropFirst(digits.count)
                    if let device = address(in: rest) { members[device] = group }
                    continue
                }
                // "Group Device: 0000:97:00.4 - ..." belongs to the group above it.
            }
            // Members of a group header are indented under it; an unindented line (the next shell
            // prompt, `lspci -nnk` output pasted after the listing) ends the group. Some scripts
            // print the group's USB devices unindented (`USB:  [1d6b:0002] Bus 001 ...`) in between.
            let indented = raw.first == " " || raw.first == "\t"
            if let group = current, indented, let device = address(in: lower), startsWithDevice(lower) {
                members[device] = group
            } else if !indented, !lower.hasPrefix("usb:") {
                current = nil
            }
        }
        if members.isEmpty { members = logged }
        guard !members.isEmpty else {
            throw InputError(path: source, message: "no IOMMU group with a PCI address: not an IOMMU group listing")
        }
        let byGroup = Dictionary(grouping: members.keys, by: { members[$0]! })
        let groups = byGroup.keys.sorted().map { IOMMUGroupEvidence(group: String($0), devices: byGroup[$0]!.sorted(), type: nil) }
        return Listing(groups: groups, commandLine: commandLine, kernelLog: log)
    }

    /// A device line: the address comes first, after `[vvvv:dddd]`, `[R]` or `Group Device:` labels.
    static func startsWithDevice(_ line: Substring) -> Bool {
        var rest = line
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            if rest.hasPrefix("[") , let close = rest.firstIndex(of: "]") {
                rest = rest[rest.index(after: close)...]
            } else if rest.hasPrefix("group device:") {
                rest = rest.dropFirst("group device:".count)
            } else {
                break
            }
        }
        return address(in: rest.prefix(13)) != nil
    }

    /// The first PCI address in the text, as sysfs names it (`0000:00:1f.3`; a missing domain is 0000).
    static func address(in text: Substring) -> String? {
        let chars = Array(text.lowercased())
        func hex(_ c: Character) -> Bool { c.isHexDigit }
        var i = 0
        while i + 7 <= chars.count {
            // bb:dd.f
            if hex(chars[i]), hex(chars[i + 1]), chars[i + 2] == ":", hex(chars[i + 3]), hex(chars[i + 4]), chars[i + 5] == ".",
               ("0"..."7").contains(chars[i + 6]), i + 7 == chars.count || !chars[i + 7].isHexDigit,
               i == 0 || !(chars[i - 1].isHexDigit || chars[i - 1] == ".") || (i >= 5 && chars[i - 1] == ":") {
                let bdf = String(chars[i..<(i + 7)])
                if i >= 5, chars[i - 1] == ":", chars[(i - 5)..<(i - 1)].allSatisfy(hex) {
                    return String(chars[(i - 5)..<(i - 1)]) + ":" + bdf
                }
                return "0000:" + bdf
            }
            i += 1
        }
        return nil
    }
}
