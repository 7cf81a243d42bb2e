import Foundation
import Testing

/// The NFD feature file follows the local source's format (`name=value`, `# +expiry-time=`),
/// every label is a valid Kubernetes label under `virtcheck.io/`, and values match the JSON.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"))
struct NFDTests {
    /// Kubernetes' label syntax: a DNS-subdomain prefix, a name and a value of at most 63
    /// characters with alphanumerics at both ends.
    static var line: Regex<AnyRegexOutput> { try! Regex(#"^virtcheck\.io/([A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)=((?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)$"#) }

    @Test(arguments: ReportInput.all)
    func labelsAreValidAndMatchTheJSON(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("nfd")
        let statuses = ReportStatuses(try input.json(in: dir))
        let text = try input.render("nfd", in: dir)
        var labels: [String: String] = [:]
        var expiry: Date?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(raw)
            if line.hasPrefix("# +expiry-time=") {
                expiry = ISO8601DateFormatter().date(from: String(line.dropFirst("# +expiry-time=".count)))
                continue
            }
            if line.hasPrefix("#") { continue }
            let m = try #require(line.wholeMatch(of: NFDTests.line), "not a valid NFD/Kubernetes label line: \(line)")
            labels[String(m.output[1].substring ?? "")] = String(m.output[2].substring ?? "")
        }
        let e = try #require(expiry, "the # +expiry-time= header is an RFC 3339 time")
        #expect(e > Date() && e < Date().addingTimeInterval(2 * 86400))
        #expect(labels["kvm"] == statuses.canRunVMs)
        #expect(labels["acceleration"] == statuses.acceleration)
        for (id, status) in statuses.profiles { #expect(labels["profile.\(id)"] == status) }
        for (id, status) in statuses.profileCPU { #expect(labels["profile-cpu.\(id)"] == status) }
        for (key, status) in statuses.findings where !key.contains("[") { #expect(labels[key] == status, "\(key)") }
    }

    @Test func hostileInputGivesOnlyLabelsAndComments() throws {
        let dir = try Tool.temporaryDirectory("nfd-hostile")
        let text = try ReportInput.hostile.render("nfd", in: dir)
        for line in text.split(separator: "\n") {
            #expect(line.hasPrefix("#") || line.wholeMatch(of: NFDTests.line) != nil, "\(line)")
        }
    }
}

extension NFDTests {
    @Test func sourceDateEpochFixesTheRunTime() throws {
        let r = try Tool.run(Tool.virtcheck!, ["check"] + ReportInput.hostile.arguments + ["--format", "nfd"], environment: ["SOURCE_DATE_EPOCH": "0"])
        #expect(r.stdout.contains("# +expiry-time=1970-01-02T00:00:00Z\n"))
    }
}
