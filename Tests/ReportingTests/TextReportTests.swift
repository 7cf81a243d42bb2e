import Foundation
import Testing

/// The terminal report (piped: plain words) agrees with the JSON and keeps hostile strings inert.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"))
struct TextReportTests {
    static let words = ["pass": "[PASS]", "warn": "[WARN]", "fail": "[FAIL]", "unknown": "[UNKNOWN]", "not-applicable": "[N/A]"]

    @Test(arguments: ReportInput.all)
    func everyFindingAndProfileShowsItsJSONStatus(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("text")
        let statuses = ReportStatuses(try input.json(in: dir))
        let text = try input.render("text", in: dir)
        #expect(!text.contains("\u{1B}"), "no colour or control characters when not a terminal")
        for (key, status) in statuses.findings {
            let id = key.split(separator: " ").first.map(String.init) ?? key
            #expect(text.contains("\(TextReportTests.words[status]!) \(id)"), "\(key) \(status)")
        }
        for (id, status) in statuses.profiles {
            #expect(text.contains("\(TextReportTests.words[status]!) \(id) (CPU side: \(statuses.profileCPU[id]!))"))
        }
    }

    @Test func quietStillPrintsFailures() throws {
        let r = try Tool.virtcheck(["check"] + ReportInput.hostile.arguments + ["--quiet"])
        #expect(r.stdout.contains("[FAIL] kvm.guest-run"))
        #expect(!r.stdout.contains("[PASS]"))
        #expect(r.status == 1)
    }
}
