import Foundation
import HostModel

/// The committed CPUID dumps (Data/corpus/cpuid-r) and their `cpuid -f` reference table
/// (Fixtures/cpuid-reference.tsv), found relative to this file so the tests run from any checkout.
enum CPUIDFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repositoryRoot.appendingPathComponent("Data/corpus/cpuid-r")
    static let referenceFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures/cpuid-reference.tsv")

    /// CPU 0 of a committed dump, by its path under Data/corpus/cpuid-r.
    static func table(_ relativePath: String) throws -> CPUIDTable {
        let url = corpus.appendingPathComponent(relativePath)
        let text = try String(contentsOf: url, encoding: .utf8)
        let evidence = try CPUIDDumpParser.parse(text, source: relativePath)
        guard let cpu0 = evidence.cpus.first else { throw CocoaError(.fileReadCorruptFile) }
        return cpu0
    }

    /// Every `*.cpuid-r.txt` under Data/corpus/cpuid-r, as relative paths.
    static func dumpPaths() -> [String] {
        let base = corpus.standardizedFileURL.path + "/"
        let walker = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)
        var paths: [String] = []
        while let url = walker?.nextObject() as? URL {
            let path = url.standardizedFileURL.path
            if path.hasSuffix(".cpuid-r.txt") { paths.append(String(path.dropFirst(base.count))) }
        }
        return paths.sorted()
    }

    /// The reference rows keyed by file, each a column → cell map (`#` lines are comments).
    static let reference: [String: [String: String]] = {
        guard let text = try? String(contentsOf: referenceFile, encoding: .utf8) else { return [:] }
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            return [:]
        }
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < cells.count { row[name] = cells[i] }
            if let file = row["file"] { rows[file] = row }
        }
        return rows
    }()
}
