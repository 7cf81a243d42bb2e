/// A tab-separated table with a header row; `#` lines are comments. The tables are ours and
/// checked by tests, so a malformed row is a build defect, not user input.
public struct TSVTable: Sendable {
    public let columns: [String]
    public let rows: [[String: String]]

    /// Split on UTF-8 bytes, not Characters: tab and newline are ASCII and never part of a
    /// multi-byte sequence, and grapheme-breaking `String.split` made decoding these tables a
    /// measurable share of every run (callgrind, issue 16). A trailing CR is dropped.
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
        rows = lines.dropFirst().map { line in
            let values = cells(line)
            var row: [String: String] = [:]
            row.reserveCapacity(columns.count)
            for (i, name) in columns.enumerated() where i < values.count { row[name] = values[i] }
            return row
        }
    }

    public init(text: String) {
        self.init(Array(text.utf8))
    }
}
