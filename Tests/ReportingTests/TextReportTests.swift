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
        // The profile matrix: one row per profile, `id  [STATUS]  [CPU]  why not`, below its
        // heading (the KVM section's "nested run: ..." lines start with a profile's name too).
        let lines = text.split(separator: "\n")
        let matrix = lines.drop { !$0.hasPrefix("Profiles") }
        #expect(!matrix.isEmpty, "no profile matrix")
        let rows = matrix.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        for (id, status) in statuses.profiles {
            let row = rows.first { $0.count >= 3 && $0[0] == id }
            #expect(row?[1] == TextReportTests.words[status]! && row?[2] == TextReportTests.words[statuses.profileCPU[id]!]!, "profile \(id)")
        }
    }

    @Test func quietStillPrintsFailures() throws {
        let r = try Tool.virtcheck(["check"] + ReportInput.hostile.arguments + ["--quiet"])
        #expect(r.stdout.contains("[FAIL] kvm.guest-run"))
        // No passing finding is listed (the profile matrix may still show a passing CPU side).
        #expect(!r.stdout.split(separator: "\n").contains { $0.hasPrefix("  [PASS]") })
        #expect(r.status == 1)
    }
}
