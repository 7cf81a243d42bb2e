import Glibc

/// A tab-separated table with a header row; `#` lines are comments. The tables are ours and
/// checked by tests, so a malformed row is a build defect, not user input.
public struct TSVTable: Sendable {
    /// One row: its cells, read by column name (`row["closers"]`); nil for a column the table
    /// lacks or the row leaves out.
    public struct Row: Sendable, CustomStringConvertible {
        let cells: [String]
        let index: [String: Int]

        public subscript(column: String) -> String? {
            guard let i = index[column], i < cells.count else { return nil }
            return cells[i]
        }

        public var description: String { cells.joined(separator: "\t") }
    }

    public let columns: [String]
    public let rows: [Row]

    /// Split on UTF-8 bytes, not Characters: tab and newline are ASCII and never part of a
    /// multi-byte sequence, and grapheme-breaking `String.split` made decoding these tables a
    /// measurable share of every run (callgrind, issue 16). Lines and cells are found with
    /// `memchr` in one pass over the bytes: the generic `split` walked them a byte at a time
    /// through a closure and grew its arrays as it went, 1.1 of the 2.8 M instructions that
    /// decoding the six tables a check reads took (callgrind, issue 16). A trailing CR is
    /// dropped. The rows share one column index: a dictionary per row was most of the decoding
    /// (issue 16).
    public init(_ bytes: [UInt8]) {
        var lines: [[String]] = []
        bytes.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            var start = 0
            while start < all.count {
                var end = all.count
                if let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), all.count - start) {
                    end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                }
                var last = end
                if last > start, all[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                if last > start, all[start] != UInt8(ascii: "#") {
                    lines.append(TSVTable.cells(UnsafeBufferPointer(rebasing: all[start..<last])))
                }
                start = end + 1
            }
        }
        guard let columns = lines.first else {
            self.columns = []
            rows = []
            return
        }
        self.columns = columns
        // The first column of a name wins, as the dictionary per row kept the last: names are unique
        // in every table (TSVTableTests).
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        rows = lines.dropFirst().map { Row(cells: $0, index: index) }
    }

    /// A line's cells, empty ones kept: what lies between its tabs.
    static func cells(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
        var cells: [String] = []
        var start = 0
        while true {
            var end = line.count
            if start < line.count, let tab = memchr(line.baseAddress! + start, Int32(UInt8(ascii: "\t")), line.count - start) {
                end = line.baseAddress!.distance(to: tab.assumingMemoryBound(to: UInt8.self))
            }
            cells.append(String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self))
            guard end < line.count else { return cells }
            start = end + 1
        }
    }

    public init(text: String) {
        self.init(Array(text.utf8))
    }
}
