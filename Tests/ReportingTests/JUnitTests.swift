import Foundation
import Testing

/// The JUnit report as a CI system reads it (junitparser): one testcase per finding with the
/// JSON's status, a testsuite per profile, counts that add up, hostile strings still parseable.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"),
       .enabled(if: Tool.pythonHas("junitparser"), "python3-junitparser is missing: scripts/ensure-deps python3-junitparser"))
struct JUnitTests {
    func read(_ xml: String, dir: URL) throws -> [String: Any] {
        let path = dir.appendingPathComponent("junit-\(UUID().uuidString.prefix(6)).xml").path
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/read_junit.py"), path])
        try #require(r.status == 0, "junitparser could not read the report: \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static func result(for status: String) -> String {
        switch status {
        case "fail": "failure"
        case "unknown", "not-applicable": "skipped"
        default: "passed"
        }
    }

    @Test(arguments: ReportInput.all)
    func testcasesCarryTheJSONStatuses(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("junit")
        let statuses = ReportStatuses(try input.json(in: dir))
        let junit = try read(try input.render("junit", in: dir), dir: dir)
        let suites = try #require(junit["suites"] as? [[String: Any]])
        let findings = try #require(suites.first { $0["name"] as? String == "findings" })
        let cases = findings["cases"] as? [[String: Any]] ?? []
        #expect(cases.count == statuses.findings.count, "one testcase per finding")
        for c in cases {
            let name = c["name"] as? String ?? ""
            let status = try #require(statuses.findings[name], "testcase \(name) is a finding of the JSON")
            // A plain `check` requires vm-host alone: other fails are skipped, with their status.
            let result = c["result"] as? String
            if status == "fail" && result == "skipped" {
                #expect((c["message"] as? String)?.hasPrefix("not required: fail: ") == true, "\(name): a skipped fail says so")
                continue
            }
            #expect(result == JUnitTests.result(for: status), "\(name): \(status)")
            if status == "unknown" { #expect((c["message"] as? String)?.hasPrefix("unknown: ") == true, "skipped says why") }
        }
        let properties = findings["properties"] as? [String: String] ?? [:]
        #expect(properties["can_run_vms"] == statuses.canRunVMs && properties["acceleration"] == statuses.acceleration)
        for (id, status) in statuses.profiles {
            let suite = try #require(suites.first { $0["name"] as? String == "profile \(id)" }, "a testsuite for profile \(id)")
            let profileCase = (suite["cases"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "profile \(id)" }
            let expected = id == "vm-host" || status != "fail" ? JUnitTests.result(for: status) : "skipped"
            #expect(profileCase?["result"] as? String == expected, "profile \(id): \(status)")
        }
        let all = suites.flatMap { $0["cases"] as? [[String: Any]] ?? [] }
        #expect(junit["tests"] as? Int == all.count)
        #expect(junit["failures"] as? Int == all.filter { $0["result"] as? String == "failure" }.count)
        #expect(junit["skipped"] as? Int == all.filter { $0["result"] as? String == "skipped" }.count)
    }

    @Test func hostileStringsKeepTheFileParseable() throws {
        let dir = try Tool.temporaryDirectory("junit-hostile")
        let xml = try ReportInput.hostile.render("junit", in: dir)
        let junit = try read(xml, dir: dir)
        let verdict = ((junit["suites"] as? [[String: Any]])?.first?["properties"] as? [String: String])?["verdict"] ?? ""
        #expect(verdict.contains("<img src=x onerror=alert(2)>"), "markup survives as text, not as elements")
        #expect(!xml.contains("\u{1B}") && !xml.contains("\u{0}"), "characters XML cannot carry are replaced")
    }
}
