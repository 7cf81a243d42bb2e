import Foundation
import Testing

/// Reports/ holds what `scripts/make-reports` produces from Data/hosts/; this fails when the code
/// and the committed examples drift apart. Run times (the Prometheus timestamp, the NFD expiry,
/// JUnit's timestamps) are the only differences allowed.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"))
struct ExampleReportsTests {
    static func normalised(_ text: String) -> String {
        text.replacing(try! Regex(#"virtcheck_last_run_timestamp_seconds \d+"#), with: "virtcheck_last_run_timestamp_seconds T")
            .replacing(try! Regex(#"# \+expiry-time=\S+"#), with: "# +expiry-time=T")
            .replacing(try! Regex(#"timestamp="[^"]*""#), with: "timestamp=\"T\"")
    }

    static func reports(in dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasSuffix(".png") && $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
    }

    @Test func reportsMatchWhatTheCodeProduces() throws {
        let dir = try Tool.temporaryDirectory("example-reports")
        let r = try Tool.run(Tool.repoPath("scripts/make-reports"), [dir.path], environment: ["VIRTCHECK": Tool.virtcheck!, "SCREENSHOT": "0"])
        try #require(r.status == 0, "scripts/make-reports failed: \(r.stderr)")
        let committed = Tool.repoPath("Reports")
        let expected = try ExampleReportsTests.reports(in: dir.path)
        #expect(!expected.isEmpty, "Data/hosts/ has captures to report on")
        #expect(try ExampleReportsTests.reports(in: committed) == expected, "Reports/ holds exactly the generated files; run scripts/make-reports")
        for file in expected {
            let fresh = try String(contentsOfFile: dir.appendingPathComponent(file).path, encoding: .utf8)
            let old = (try? String(contentsOfFile: "\(committed)/\(file)", encoding: .utf8)) ?? ""
            #expect(ExampleReportsTests.normalised(fresh) == ExampleReportsTests.normalised(old), "Reports/\(file) is stale: run scripts/make-reports")
        }
        for file in expected where file.hasSuffix(".html") {
            let png = "\(committed)/\(file.dropLast(5)).png"
            #expect(FileManager.default.fileExists(atPath: png), "a screenshot of \(file) is committed")
        }
    }
}
