import Analysis
import Foundation
import HostModel

/// The four server dumps of Tests/Fixtures/cpuid-r (provenance in its SOURCES.md), parsed into
/// the snapshot `--from DUMP` gives (the CLI tests go through the loader itself).
enum FleetFixtures {
    static let sapphireRapids = "Intel-SapphireRapids-2xXeonMax9460"
    static let cascadeLake = "Intel-CascadeLake-2xXeon6230"
    static let zen4 = "AMD-19h-Zen4-2xEpyc-9654"
    static let zen3 = "AMD-19h-Zen3-2xEpyc-7763"

    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/cpuid-r/\(name).cpuid-r.txt").standardized.path
    }

    static func host(_ name: String) throws -> HostCapabilities {
        let file = path(name)
        let cpuid = try CPUIDDumpParser.parse(try String(contentsOfFile: file, encoding: .utf8), source: file)
        return HostCapabilities(snapshot: Snapshot(source: SourceInfo(kind: .files, paths: [file]), cpuid: cpuid), label: name)
    }
}
