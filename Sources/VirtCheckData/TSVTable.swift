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
    /// measurable share of every run (callgrind, issue 16). A trailing CR is dropped. The rows
    /// share one column index: a dictionary per row was most of the decoding (issue 16).
    public init(_ bytes: [UInt8]) {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
            .filter { $0.first != UInt8(ascii: "#") && !$0.isEmpty }
        guard let header = lines.first else {
            columns = []
            rows = []
            return
        }
        func cells(_ line: ArraySlice<UInt8>) -> [String] {
            line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
        let columns = cells(header)
        self.columns = columns
        // The first column of a name wins, as the dictionary per row kept the last: names are unique
        // in every table (TSVTableTests).
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        rows = lines.dropFirst().map { Row(cells: cells($0), index: index) }
    }

    public init(text: String) {
        self.init(Array(text.utf8))
    }
}
