/// Reads the `cpuid -r` raw format (Todd Allen's cpuid): `CPU:` or `CPU N:` headers followed
/// by `0xLEAF 0xSUB: eax=0x... ebx=0x... ecx=0x... edx=0x...` lines (or the older form without
/// the subleaf). Blank lines, a `Disclaimer:` line and CRLF line ends are tolerated; anything
/// else is an error naming the line, because a silently skipped line would decode wrongly.
public enum CPUIDDumpParser {
    /// Quick content sniff for input detection: the first meaningful line is a CPU header or a leaf line.
    public static func looksLikeDump(_ text: Substring) -> Bool {
        for raw in text.inputLines(maxSplits: 8).prefix(8) {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("Disclaimer:") { continue }
            return line.hasPrefix("CPU") || parseLeafLine(line) != nil
        }
        return false
    }

    /// Lines are split at LF bytes (a CR before it is trimmed), and each leaf line is read
    /// straight from its UTF-8 bytes: a corpus of a thousand dumps parses in milliseconds.
    /// Any line the byte scanner does not recognise (headers, the disclaimer, anything odd)
    /// goes through `line(_:)`, the one definition of what is accepted and of every error.
    public static func parse(_ text: String, source: String) throws(InputError) -> CPUIDEvidence {
        var text = text
        let result = text.withUTF8 { bytes -> Result<CPUIDEvidence, InputError> in
            do throws(InputError) {
                return .success(try parse(bytes: bytes, source: source))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, source: String) throws(InputError) -> CPUIDEvidence {
        var cpus: [CPUIDTable] = []
        var current: CPUIDTable?
        // By set, not by scanning `cpus`: a 12 MB dump of 10^6 headers made that minutes of work.
        var seen = Set<Int>()
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            defer { start = end + 1 }
            lineNumber += 1
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if let leaf = LeafLineScanner.scan(raw) {
                if current == nil { current = CPUIDTable(cpu: 0, leaves: []) }
                current?.leaves.append(leaf)
                continue
            }
            let line = Substring(String(decoding: raw, as: UTF8.self)).trimmingWhitespace()
            if line.isEmpty || (lineNumber <= 2 && line.hasPrefix("Disclaimer:")) { continue }
            if line.hasPrefix("CPU") {
                let cpuNumber = try header(line, path: source, line: lineNumber, next: cpus.count + (current == nil ? 0 : 1))
                if let done = current {
                    cpus.append(done)
                    seen.insert(done.cpu)
                }
                if seen.contains(cpuNumber) {
                    throw InputError(path: source, line: lineNumber, message: "CPU \(cpuNumber) appears twice")
                }
                if seen.count >= InputLimits.maxCpus {
                    throw InputError(path: source, line: lineNumber, message: "more than \(InputLimits.maxCpus) CPUs (Linux's largest NR_CPUS): not one host's dump")
                }
                current = CPUIDTable(cpu: cpuNumber, leaves: [])
                continue
            }
            guard let leaf = parseLeafLine(line) else {
                throw InputError(path: source, line: lineNumber,
                                 message: "not a `cpuid -r` line: \(InputText.excerpt(line))")
            }
            if current == nil { current = CPUIDTable(cpu: 0, leaves: []) }
            current?.leaves.append(leaf)
        }
        if let done = current { cpus.append(done) }
        guard cpus.contains(where: { !$0.leaves.isEmpty }) else {
            throw InputError(path: source, message: "no CPUID leaves in this `cpuid -r` dump")
        }
        return CPUIDEvidence(source: source, status: .ok, cpus: cpus.filter { !$0.leaves.isEmpty })
    }

    /// `CPU:` (the only CPU; numbered in order) or `CPU 12:`.
    private static func header(_ line: Substring, path: String, line number: Int, next: Int) throws(InputError) -> Int {
        guard line.hasSuffix(":") else {
            throw InputError(path: path, line: number, message: "not a CPU header: \(InputText.excerpt(line))")
        }
        let body = line.dropFirst(3).dropLast().trimmingWhitespace()
        if body.isEmpty { return next }
        guard body.count <= 6, let n = Int(body), n >= 0 else {
            throw InputError(path: path, line: number, message: "bad CPU number in header: \(InputText.excerpt(line))")
        }
        return n
    }

    /// `0x00000007 0x01: eax=0x... ebx=0x... ecx=0x... edx=0x...` or `0x00000007: eax=...`.
    static func parseLeafLine(_ line: Substring) -> CPUIDLeaf? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let head = line[..<colon].split(ascii: " ")
        guard head.count == 1 || head.count == 2,
              let leaf = Hex.parse32(head[0]), head[0].hasPrefix("0x") else { return nil }
        var subleaf: UInt32 = 0
        if head.count == 2 {
            guard head[1].hasPrefix("0x"), let s = Hex.parse32(head[1]) else { return nil }
            subleaf = s
        }
        var regs: [UInt32?] = [nil, nil, nil, nil]
        let names = ["eax=", "ebx=", "ecx=", "edx="]
        for field in line[line.index(after: colon)...].split(ascii: " ") {
            guard let i = names.firstIndex(where: { field.hasPrefix($0) }), regs[i] == nil,
                  let value = Hex.parse32(field.dropFirst(4)) else { return nil }
            regs[i] = value
        }
        guard let eax = regs[0], let ebx = regs[1], let ecx = regs[2], let edx = regs[3] else { return nil }
        return CPUIDLeaf(leaf: leaf, subleaf: subleaf, eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }
}
