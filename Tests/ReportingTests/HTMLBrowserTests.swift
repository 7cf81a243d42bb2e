import Foundation
import Testing

/// The HTML report in a real browser (headless Chromium): hostile strings stay text, the page
/// carries the JSON's statuses, it is self-contained, and it renders to a non-blank screenshot.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"),
       .enabled(if: Tool.chromium != nil, "no headless Chromium: scripts/ensure-deps chromium-headless-shell"))
struct HTMLBrowserTests {
    /// Chromium as root needs --no-sandbox; each run gets its own profile so parallel tests do not share one.
    func chromium(_ arguments: [String], dir: URL) throws -> Tool.Result {
        let profile = dir.appendingPathComponent("profile-\(UUID().uuidString.prefix(6))").path
        var args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)", "--hide-scrollbars"]
        if Tool.chromium!.hasSuffix("/chromium") { args.insert("--headless", at: 0) }
        return try Tool.run(Tool.chromium!, args + arguments)
    }

    func dom(_ input: ReportInput, dir: URL) throws -> String {
        let html = try input.render("html", in: dir)
        let path = dir.appendingPathComponent("report-\(UUID().uuidString.prefix(6)).html")
        try html.write(to: path, atomically: true, encoding: .utf8)
        let r = try chromium(["--dump-dom", path.absoluteString], dir: dir)
        try #require(r.status == 0 && r.stdout.contains("</html>"), "chromium --dump-dom failed: \(r.stderr.suffix(500))")
        return r.stdout
    }

    @Test func hostileStringsRenderAsTextNotMarkup() throws {
        let dir = try Tool.temporaryDirectory("html-hostile")
        let dom = try dom(ReportInput.hostile, dir: dir)
        #expect(!dom.lowercased().contains("<script"), "no script element in the browser's DOM")
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the brand string is visible as text")
        #expect(dom.contains("<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>"), "shown in the CPU identity list")
        for element in ["img", "iframe"] {
            #expect(dom.range(of: "<\(element)[ >]", options: .regularExpression) == nil, "no <\(element)> element from snapshot strings")
        }
        #expect(!dom.contains("<b>x</b>") && dom.contains("&lt;b&gt;x&lt;/b&gt;"), "a module name's markup stays text")
        #expect(dom.range(of: #"<[a-z]+[^<>]*\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "no event-handler attribute")
        #expect(!dom.contains("\u{1B}"), "escape sequences do not reach the page")
        #expect(dom.contains("more characters)"), "a huge string is cut and says so")
    }

    @Test(arguments: ReportInput.all)
    func pageCarriesTheJSONStatuses(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("html-consistency")
        let statuses = ReportStatuses(try input.json(in: dir))
        let dom = try dom(input, dir: dir)
        var findings: [String: String] = [:], profiles: [String: String] = [:]
        let finding = try Regex(#"data-finding="([^"]*)" data-subject="([^"]*)" data-status="([^"]*)""#)
        for m in dom.matches(of: finding) {
            let subject = String(m.output[2].substring ?? "")
            findings[ReportStatuses.key(String(m.output[1].substring ?? ""), subject.isEmpty ? nil : subject)] = String(m.output[3].substring ?? "")
        }
        for m in dom.matches(of: try Regex(#"data-profile="([^"]*)" data-status="([^"]*)""#)) {
            profiles[String(m.output[1].substring ?? "")] = String(m.output[2].substring ?? "")
        }
        #expect(findings == statuses.findings)
        #expect(profiles == statuses.profiles)
        #expect(dom.contains("data-can-run-vms=\"\(statuses.canRunVMs)\" data-acceleration=\"\(statuses.acceleration)\""))
        for section in ["verdict", "profiles", "findings", "cpu", "capabilities", "kvm", "iommu", "pg", "emulator"] {
            #expect(dom.contains("id=\"\(section)\""), "section \(section) is present")
        }
    }

    @Test func pageIsSelfContained() throws {
        let dir = try Tool.temporaryDirectory("html-self-contained")
        let html = try ReportInput.offline.first { $0.name == "intel-vtx" }!.render("html", in: dir)
        for needle in ["<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href="] {
            #expect(!html.lowercased().contains(needle), "\(needle) would load something or run code")
        }
        #expect(html.contains("<svg class=\"chart\""), "the exit latencies are drawn")
        #expect(html.contains("@media print"))
    }

    @Test func screenshotIsRendered() throws {
        let dir = try Tool.temporaryDirectory("html-screenshot")
        let html = dir.appendingPathComponent("intel.html")
        try ReportInput.offline.first { $0.name == "intel-vtx" }!.render("html", in: dir).write(to: html, atomically: true, encoding: .utf8)
        let png = dir.appendingPathComponent("intel.png").path
        let r = try chromium(["--window-size=1100,1400", "--screenshot=\(png)", html.absoluteString], dir: dir)
        #expect(r.status == 0, "\(r.stderr.suffix(500))")
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = data[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1100 && height == 1400)
        #expect(data.count > 40_000, "a blank page compresses to a few kilobytes; this one has \(data.count) bytes")
    }

    @Test func pagePrints() throws {
        let dir = try Tool.temporaryDirectory("html-print")
        let html = dir.appendingPathComponent("intel.html")
        try ReportInput.offline.first { $0.name == "intel-vtx" }!.render("html", in: dir).write(to: html, atomically: true, encoding: .utf8)
        let pdf = dir.appendingPathComponent("intel.pdf").path
        let r = try chromium(["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", html.absoluteString], dir: dir)
        #expect(r.status == 0, "\(r.stderr.suffix(500))")
        let data = try Data(contentsOf: URL(fileURLWithPath: pdf))
        #expect(data.prefix(5) == Data("%PDF-".utf8))
        let text = String(decoding: data, as: UTF8.self)
        let pages = text.firstMatch(of: #/\/Count (\d+)/#).flatMap { Int($0.output.1) } ?? 0
        #expect(pages >= 2, "the whole report prints, over several pages (got \(pages))")
    }
}
