import Foundation
import Testing

/// Every captured tree under Tests/*/Fixtures/roots/ is checked with `check --root` and its JSON
/// report held to the one main's build produced before the speed work of issue 16
/// (Tests/CLITests/Fixtures/reports/, written by scripts/make-fixture-reports): the work became
/// proportional to the host without losing or altering a finding or field. The `emulator`
/// section (host-specific, the emulator issue) and `source.paths` (the tree's path as given) are
/// left out. The one deliberate difference: a function without a PCI Express capability now has
/// only its first 256 bytes of config space read (the extended list is walked only for PCIe
/// functions), so its `config_bytes` is 256 where a 4 KiB sysfs file used to be read whole.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct FixtureReportsTests {
    static let roots: [String] = ["Tests/HostProbeTests/Fixtures/roots", "Tests/CLITests/Fixtures/roots"].flatMap { dir in
        ((try? FileManager.default.contentsOfDirectory(atPath: VirtCheckBinary.repoPath(dir))) ?? [])
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") && !$0.hasSuffix(".py") }
            .map { "\(dir)/\($0)" }
    }.sorted()

    static func normalised(_ report: [String: Any]) -> NSDictionary {
        var report = report
        report["emulator"] = nil
        if var source = report["source"] as? [String: Any] {
            source["paths"] = nil
            report["source"] = source
        }
        return report as NSDictionary
    }

    /// The golden report with the one deliberate change applied (see the type's comment).
    static func expected(_ golden: [String: Any]) -> [String: Any] {
        var golden = golden
        guard var pci = golden["pci"] as? [String: Any], let devices = pci["devices"] as? [[String: Any]] else { return golden }
        pci["devices"] = devices.map { device -> [String: Any] in
            guard var caps = device["capabilities"] as? [String: Any], caps["express"] is NSNull,
                  caps["config_bytes"] as? Int == 4096 else { return device }
            caps["config_bytes"] = 256
            var device = device
            device["capabilities"] = caps
            return device
        }
        golden["pci"] = pci
        return golden
    }

    /// The captured snapshots of Data/hosts (this workplace's own host among them), read back by
    /// `check --from`: their reports are held to the ones main's build wrote before the snapshot
    /// was read by `JSONReader` instead of JSONDecoder and the report written as bytes (issue 16).
    static let snapshots: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: VirtCheckBinary.repoPath("Data/hosts"))) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted().map { "Data/hosts/\($0)" }

    @Test(arguments: snapshots)
    func snapshotReportMatchesTheReportBefore(_ snapshot: String) throws {
        let name = "snapshot-" + URL(fileURLWithPath: snapshot).deletingPathExtension().lastPathComponent
        let goldenData = try Data(contentsOf: URL(fileURLWithPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/reports/\(name).json")))
        let golden = try #require(try JSONSerialization.jsonObject(with: goldenData) as? [String: Any])
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath(snapshot), "--format", "json"])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        let fresh = try #require(r.json, "check --from \(snapshot) prints a JSON report")
        let want = Self.normalised(golden), got = Self.normalised(fresh)
        if want != got {
            let differing = Set(want.allKeys.compactMap { $0 as? String } + got.allKeys.compactMap { $0 as? String })
                .filter { (want[$0] as? NSObject) != (got[$0] as? NSObject) }.sorted()
            Issue.record("\(snapshot): the report differs from Tests/CLITests/Fixtures/reports/\(name).json in \(differing); if intended, run scripts/make-fixture-reports")
        }
    }

    @Test func everyFixtureRootHasAGoldenReport() {
        #expect(Self.snapshots.count >= 4, "the captured snapshots are found")
        #expect(Self.roots.count >= 7, "the fixture roots are found")
        for root in Self.roots {
            let name = URL(fileURLWithPath: root).lastPathComponent
            #expect(FileManager.default.fileExists(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/reports/\(name).json")),
                    "\(root) has a report; run scripts/make-fixture-reports")
        }
    }

    @Test(arguments: roots)
    func reportMatchesTheReportBefore(_ root: String) throws {
        let name = URL(fileURLWithPath: root).lastPathComponent
        let goldenData = try Data(contentsOf: URL(fileURLWithPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/reports/\(name).json")))
        let golden = try #require(try JSONSerialization.jsonObject(with: goldenData) as? [String: Any])
        let r = try VirtCheckBinary.run(["check", "--root", VirtCheckBinary.repoPath(root), "--format", "json"])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        let fresh = try #require(r.json, "check --root \(root) prints a JSON report")
        let want = Self.normalised(Self.expected(golden)), got = Self.normalised(fresh)
        if want != got {
            let differing = Set(want.allKeys.compactMap { $0 as? String } + got.allKeys.compactMap { $0 as? String })
                .filter { (want[$0] as? NSObject) != (got[$0] as? NSObject) }.sorted()
            Issue.record("\(root): the report differs from Tests/CLITests/Fixtures/reports/\(name).json in \(differing); if intended, run scripts/make-fixture-reports")
        }
    }
}
