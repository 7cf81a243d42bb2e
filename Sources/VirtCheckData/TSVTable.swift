/// A tab-separated table with a header row; `#` lines are comments. The tables are ours and
/// checked by tests, so a malformed row is a build defect, not user input.
public struct TSVTable: Sendable {
    public let columns: [String]
    public let rows: [[String: String]]

    public init(_ bytes: [UInt8]) {
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    public init(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            .filter { !$0.hasPrefix("#") }
        guard let header = lines.first else {
            columns = []
            rows = []
            return
        }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        self.columns = columns
        rows = lines.dropFirst().map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, name) in columns.enumerated() where i < cells.count { row[name] = cells[i] }
            return row
        }
    }
}
