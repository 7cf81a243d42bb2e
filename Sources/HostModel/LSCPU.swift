/// `lscpu` output: `Key: value` lines (Architecture, Vendor ID, Model name, Flags, Virtualization,
/// Hypervisor vendor, ...). Weaker evidence than CPUID or cpuinfo; used only when they are absent.
public struct LSCPU: Sendable, Hashable {
    public var fields: [String: String]

    public func value(_ key: String) -> String? { fields[key] }

    public static func looksLikeLSCPU(_ text: Substring) -> Bool {
        text.inputLines(maxSplits: 3).first.map { $0.trimmingWhitespace().hasPrefix("Architecture:") } ?? false
    }

    public static func parse(_ text: String, source: String) throws(InputError) -> LSCPU {
        var fields: [String: String] = [:]
        var lineNumber = 0
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingWhitespace()
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw InputError(path: source, line: lineNumber, message: "not a `Key: value` lscpu line: \(InputText.excerpt(line))")
            }
            let key = String(line[..<colon].trimmingWhitespace())
            if fields[key] == nil { fields[key] = String(line[line.index(after: colon)...].trimmingWhitespace()) }
        }
        guard fields["Architecture"] != nil else { throw InputError(path: source, message: "no `Architecture:` line: not lscpu output") }
        return LSCPU(fields: fields)
    }
}
