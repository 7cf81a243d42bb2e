/// `lscpu` output: `Key: value` lines (Architecture, Vendor ID, Model name, Flags, Virtualization,
/// Hypervisor vendor, ...). Weaker evidence than CPUID or cpuinfo; used only when they are absent.
public struct LSCPU: Sendable, Hashable {
    public var fields: [String: String]

    public func value(_ key: String) -> String? { fields[key] }

    public static func looksLikeLSCPU(_ text: Substring) -> Bool {
        text.inputLines(maxSplits: 3).first.map { $0.trimmingWhitespace().hasPrefix("Architecture:") } ?? false
    }

    /// Lines one lscpu output may have. Real ones have 20 to 60; a host with Linux's largest
    /// MAX_NUMNODES (1024) prints one `NUMA nodeN CPU(s):` line per node, which this leaves room
    /// for. Without it a 32 MiB file of distinct keys was a dictionary of millions (27 s, 220 MB).
    public static let maxLines = 4096

    public static func parse(_ text: String, source: String) throws(InputError) -> LSCPU {
        var fields: [String: String] = [:]
        var lineNumber = 0
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            guard lineNumber <= maxLines else {
                throw InputError(path: source, line: lineNumber, message: "more than \(maxLines) lines: not one host's lscpu output")
            }
            let line = raw.trimmingWhitespace()
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw InputError(path: source, line: lineNumber, message: "not a `Key: value` lscpu line: \(InputText.excerpt(line))")
            }
            let key = String(line[..<colon].trimmingWhitespace())
            if fields[key] == nil { fields[key] = String(line[line.index(after: colon)...].trimmingWhitespace()) }
        }
        guard fields["Architecture"] != nil else { throw InputError(path: source, message: "no `Architecture:` line: not lscpu output") }
        // `CPU(s):` becomes the report's logical_cpus, as cpuinfo's and the dump's counts do, under the same limit.
        if let count = fields["CPU(s)"].flatMap({ Int($0) }), count > InputLimits.maxCpus {
            throw InputError(path: source, message: "`CPU(s): \(count)`: more than \(InputLimits.maxCpus) CPUs (Linux's largest NR_CPUS): not one host's lscpu output")
        }
        return LSCPU(fields: fields)
    }
}
