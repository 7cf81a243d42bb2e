import Analysis
import Foundation
import HostProbe

/// The four server dumps of Tests/Fixtures/cpuid-r (provenance in its SOURCES.md), loaded the
/// way `diff` and `baseline` load them.
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
        HostCapabilities(snapshot: try OfflineLoader.load(paths: [path(name)]), label: name)
    }
}
