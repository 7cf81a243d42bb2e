/// Kernel log text pasted from a machine virtcheck cannot run on: `dmesg` (with `[ seconds]`
/// timestamps, `dmesg -T` dates, or none), `journalctl -k` (`Dec 04 23:51:15 host kernel: ...`)
/// and grepped excerpts of either. The lines virtcheck knows (`KernelMessage`) become evidence,
/// each with its line; every other line is ignored, since a log holds thousands of them.
public enum KernelLogParser {
    /// Lines longer than this are not kernel log lines (printk caps a record at 1024 bytes; a
    /// journal prefix adds less than 100).
    public static let maxLineLength = 4096

    /// Recognised lines one log may hold. A boot of a 4096-function host logs about 4,200 of
    /// them (one `Adding to iommu group` per function, a few DMAR/AMD-Vi/kvm lines); this leaves
    /// room for a dozen boots in one `journalctl -k`. Each kept line is evidence every rule that
    /// reads the log searches: 400,000 repeats of one line in a 20 MB paste took a minute.
    public static let maxEntries = 65_536

    /// True when the first line is a timestamped kernel log line, a journal header, or a message
    /// virtcheck recognises (an untimestamped `dmesg -t` excerpt).
    public static func looksLikeKernelLog(_ head: Substring) -> Bool {
        guard let first = head.inputLines(maxSplits: 2, omittingEmptySubsequences: true).first?.trimmingWhitespace() else {
            return false
        }
        if first.hasPrefix("-- Logs begin at") || first.hasPrefix("-- Journal begins at") || first.hasPrefix("-- No entries --") {
            return true
        }
        if timestampEnd(first) != nil || journalPrefixEnd(first) != nil { return true }
        return KernelMessage(message: first) != nil
    }

    /// The recognised entries of stored log text (a snapshot's `kernel_log`, already checked).
    public static func entries(_ text: String) -> [KernelLogEntry] {
        text.inputLines(omittingEmptySubsequences: true).compactMap { raw in
            let line = raw.trimmingWhitespace()
            return KernelMessage(message: messagePart(line)).map { KernelLogEntry(message: $0, line: String(line)) }
        }
    }

    /// The recognised lines with what each says, in log order.
    public static func parse(_ text: String, source: String) throws(InputError) -> [KernelLogEntry] {
        var entries: [KernelLogEntry] = []
        var lineNumber = 0
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            guard raw.utf8.count <= maxLineLength else {
                throw InputError(path: source, line: lineNumber, message: "line of \(raw.utf8.count) bytes; kernel log lines are shorter than \(maxLineLength)")
            }
            let line = raw.trimmingWhitespace()
            guard !line.isEmpty, let message = KernelMessage(message: messagePart(line)) else { continue }
            guard entries.count < maxEntries else {
                throw InputError(path: source, line: lineNumber, message: "more than \(maxEntries) lines virtcheck reads (IOMMU groups and units, kvm): not one host's kernel log")
            }
            entries.append(KernelLogEntry(message: message, line: String(line)))
        }
        return entries
    }

    /// The message without the prefixes the tools add: `journalctl`'s date, host and `kernel:`,
    /// dmesg's `[    1.234567]` or `[Thu Dec  4 23:51:15 2026]`, and `dmesg -x`'s `kern  :info  : `.
    public static func messagePart(_ line: Substring) -> Substring {
        var rest = line
        if let end = journalPrefixEnd(rest) { rest = rest[end...].trimmingWhitespace() }
        if rest.hasPrefix("kern ") || rest.hasPrefix("kern:"), let first = rest.firstRange(of: ": "),
           let second = rest[first.upperBound...].firstRange(of: ": ") {
            rest = rest[second.upperBound...]
        }
        if let end = timestampEnd(rest) { rest = rest[end...].trimmingWhitespace() }
        return rest
    }

    /// The index after `[ ... ]` when the line starts with a dmesg timestamp (seconds or `-T` date).
    static func timestampEnd(_ line: Substring) -> Substring.Index? {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
        let inside = line[line.index(after: line.startIndex)..<close].trimmingWhitespace()
        guard !inside.isEmpty, inside.count <= 32 else { return nil }
        let seconds = inside.split(ascii: ".")
        if seconds.count == 2, seconds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return line.index(after: close) }
        // `dmesg -T`: `Thu Dec  4 23:51:15 2026`
        let words = inside.split(ascii: " ")
        if words.count == 5, words[3].filter({ $0 == ":" }).count == 2, words[4].allSatisfy(\.isNumber) { return line.index(after: close) }
        return nil
    }

    /// The index after ` kernel: ` in a journal or syslog line (`Dec 04 23:51:15 host kernel: `,
    /// `2026-12-04T23:51:15+0000 host kernel: `); nil when the line is not one.
    static func journalPrefixEnd(_ line: Substring) -> Substring.Index? {
        guard let range = line.prefix(120).firstRange(of: " kernel: ") else { return nil }
        // `DATE TIME HOST kernel: ` (short, short-precise, syslog: 4 words; short-iso: 2): a time
        // (`HH:MM:SS`) first, the host name right before `kernel:`. A program's own line that says
        // "kernel: " further on (`host sudo[42]: see kernel: DMAR-IR: Enabled …` in a pasted
        // syslog, which any user can write with logger(1)) is not the kernel's.
        let words = line[..<range.lowerBound].split(ascii: " ")
        guard (2...4).contains(words.count), let host = words.last, !host.contains(":"), !host.contains("["),
              words.dropLast().contains(where: { $0.filter { $0 == ":" }.count >= 2 }) else { return nil }
        return range.upperBound
    }
}

/// One recognised kernel log line: what it says and the line itself, cited as evidence.
public struct KernelLogEntry: Codable, Sendable, Hashable {
    public var message: KernelMessage
    public var line: String

    public init(message: KernelMessage, line: String) {
        self.message = message
        self.line = line
    }
}
