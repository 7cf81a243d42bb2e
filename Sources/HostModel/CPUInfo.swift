/// /proc/cpuinfo, parsed into processor entries of `key : value` pairs. Linux prints one
/// block per logical CPU; `flags`, `vmx flags` and `bugs` are space-separated lists.
public struct CPUInfo: Sendable, Hashable {
    public struct Processor: Sendable, Hashable {
        public var fields: [(key: String, value: String)]

        public func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }

        public func list(_ key: String) -> [String]? {
            value(key).map { $0.split(ascii: " ").map(String.init) }
        }

        public static func == (a: Processor, b: Processor) -> Bool {
            a.fields.map(\.key) == b.fields.map(\.key) && a.fields.map(\.value) == b.fields.map(\.value)
        }

        public func hash(into hasher: inout Hasher) {
            for field in fields {
                hasher.combine(field.key)
                hasher.combine(field.value)
            }
        }
    }

    public var processors: [Processor]

    /// True when the text has the shape of /proc/cpuinfo (a `processor : N` line near the top).
    public static func looksLikeCPUInfo(_ text: Substring) -> Bool {
        text.inputLines(maxSplits: 4).prefix(4).contains { line in
            guard let colon = colon(in: line), colon.upperBound < line.endIndex else { return false }
            return line[..<colon.lowerBound].trimmingWhitespace() == "processor"
        }
    }

    public static func parse(_ text: String, source: String) throws(InputError) -> CPUInfo {
        var processors: [Processor] = []
        var fields: [(key: String, value: String)] = []
        var lineNumber = 0
        func flush() {
            if !fields.isEmpty { processors.append(Processor(fields: fields)) }
            fields = []
        }
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingWhitespace()
            if line.isEmpty {
                flush()
                continue
            }
            guard let colon = CPUInfo.colon(in: line) else {
                throw InputError(path: source, line: lineNumber, message: "not a `key : value` cpuinfo line: \(InputText.excerpt(line))")
            }
            let key = String(line[..<colon.lowerBound].trimmingWhitespace())
            let value = String(line[colon.upperBound...].trimmingWhitespace())
            if key == "processor", !fields.isEmpty { flush() }
            if processors.count >= InputLimits.maxCpus {
                throw InputError(path: source, line: lineNumber, message: "more than \(InputLimits.maxCpus) CPUs (Linux's largest NR_CPUS): not one host's cpuinfo")
            }
            fields.append((key, value))
        }
        flush()
        guard processors.contains(where: { $0.value("processor") != nil }) else {
            throw InputError(path: source, message: "no `processor` entry: not a /proc/cpuinfo copy")
        }
        return CPUInfo(processors: processors.filter { $0.value("processor") != nil })
    }

    /// Where the first Character ":" of `line` is, found on the UTF-8 bytes (issue 16, as
    /// `trimmingWhitespace`); a colon byte beside a non-ASCII one may be part of another
    /// Character, so there the Characters decide.
    static func colon(in line: Substring) -> Range<Substring.Index>? {
        var copy = line
        let offset: Int?? = copy.withUTF8 { bytes in
            guard let i = bytes.firstIndex(of: UInt8(ascii: ":")) else { return .some(nil) }
            if (i > 0 && bytes[i - 1] >= 0x80) || (i + 1 < bytes.count && bytes[i + 1] >= 0x80) { return nil }
            return i
        }
        guard let offset else { return line.firstIndex(of: ":").map { $0..<line.index(after: $0) } }
        return offset.map { line.utf8.index(line.startIndex, offsetBy: $0)..<line.utf8.index(line.startIndex, offsetBy: $0 + 1) }
    }
}
