/// Reads an MSR listing: one `0xINDEX 0xVALUE` (or `0xINDEX denied|absent|unsupported`) per
/// line, `#` comments and blank lines allowed. An optional `cpu N` line starts the reads of
/// logical CPU N (default 0).
public enum MSRListingParser {
    public static func looksLikeListing(_ text: Substring) -> Bool {
        for raw in text.inputLines(maxSplits: 8).prefix(8) {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(ascii: " ")
            // A listing of several CPUs starts with its first `cpu N` line.
            if parts.count == 2, parts[0].lowercased() == "cpu", parts[1].count <= 6, Int(parts[1]) != nil { continue }
            return parts.count == 2 && parts[0].hasPrefix("0x") && Hex.parse32(parts[0]) != nil
        }
        return false
    }

    public static func parse(_ text: String, source: String) throws(InputError) -> MSREvidence {
        var cpus: [MSREvidence.CPU] = []
        var current = MSREvidence.CPU(cpu: 0, reads: [])
        // The duplicate check by set, not by scanning `reads`: a 32 MiB listing has a million
        // lines, and a scan per line made that hours of work.
        var seen = Set<UInt32>()
        var seenCpus = Set<Int>()
        var lineNumber = 0
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = raw.trimmingWhitespace()
            if let hash = line.firstIndex(of: "#") { line = line[..<hash].trimmingWhitespace() }
            if line.isEmpty { continue }
            let parts = line.split(ascii: " ")
            if parts.count == 2, parts[0].lowercased() == "cpu" {
                guard parts[1].count <= 6, let n = Int(parts[1]), n >= 0 else {
                    throw InputError(path: source, line: lineNumber, message: "bad CPU number: \(InputText.excerpt(line))")
                }
                if !current.reads.isEmpty {
                    cpus.append(current)
                    seenCpus.insert(current.cpu)
                }
                guard seenCpus.insert(n).inserted else {
                    throw InputError(path: source, line: lineNumber, message: "CPU \(n) listed twice")
                }
                guard seenCpus.count <= InputLimits.maxCpus else {
                    throw InputError(path: source, line: lineNumber, message: "more than \(InputLimits.maxCpus) CPUs (Linux's largest NR_CPUS): not one host's listing")
                }
                current = MSREvidence.CPU(cpu: n, reads: [])
                seen = []
                continue
            }
            guard parts.count == 2, parts[0].hasPrefix("0x") || parts[0].hasPrefix("0X"),
                  let index = Hex.parse32(parts[0]) else {
                throw InputError(path: source, line: lineNumber, message: "expected `0xINDEX 0xVALUE`: \(InputText.excerpt(line))")
            }
            guard seen.insert(index).inserted else {
                throw InputError(path: source, line: lineNumber, message: "MSR \(Hex.format32(index)) listed twice")
            }
            let read: MSRRead
            switch parts[1].lowercased() {
            case "denied": read = MSRRead(index: index, status: .denied, detail: "listed as denied")
            case "absent": read = MSRRead(index: index, status: .absent, detail: "listed as absent")
            case "unsupported": read = MSRRead(index: index, status: .unsupported, detail: "listed as unsupported")
            default:
                guard let value = Hex.parse(parts[1]) else {
                    throw InputError(path: source, line: lineNumber, message: "MSR value is not 64-bit hex: \(InputText.excerpt(parts[1]))")
                }
                read = MSRRead(index: index, status: .ok, value: value)
            }
            current.reads.append(read)
        }
        if !current.reads.isEmpty { cpus.append(current) }
        guard !cpus.isEmpty else { throw InputError(path: source, message: "no MSR values in this listing") }
        return MSREvidence(source: source, cpus: cpus)
    }
}
