import Foundation
import Testing

/// The Prometheus textfile passes `promtool check metrics` and is served by a real
/// node_exporter's textfile collector with the JSON's statuses.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"),
       .enabled(if: Tool.promtool != nil, "promtool is missing: scripts/ensure-deps prometheus"))
struct PrometheusTests {
    @Test(arguments: ReportInput.all)
    func promtoolAcceptsTheMetrics(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("prom")
        let text = try input.render("prometheus", in: dir)
        let r = try Tool.run(Tool.promtool!, ["check", "metrics"], stdin: text)
        #expect(r.status == 0, "promtool: \(r.stdout)\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.isEmpty, "no lint warnings: \(r.stdout)\(r.stderr)")
    }

    /// The samples whose value is 1 in a state set, as `name{labels}` → the `status`/`state`/`mode` label.
    static func states(_ text: String, metric: String, key: (String) -> String?, stateLabel: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") && line.hasSuffix("} 1") {
            let labels = PrometheusTests.labels(String(line))
            if let k = key(labels.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")), let v = labels[stateLabel] {
                out[k] = v
            }
        }
        return out
    }

    static func labels(_ line: String) -> [String: String] {
        guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return [:] }
        var out: [String: String] = [:]
        let body = line[line.index(after: open)..<close]
        let pair = try! Regex(#"([a-z_]+)="((?:[^"\\]|\\.)*)""#)
        for m in body.matches(of: pair) {
            out[String(m.output[1].substring ?? "")] = String(m.output[2].substring ?? "")
                .replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return out
    }

    static func findingStates(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("virtcheck_finding_status{") && line.hasSuffix("} 1") {
            let l = labels(String(line))
            out[ReportStatuses.key(l["id"] ?? "", (l["subject"] ?? "").isEmpty ? nil : l["subject"])] = l["status"]
        }
        return out
    }

    static func profileStates(_ text: String, metric: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") && line.hasSuffix("} 1") {
            let l = labels(String(line))
            out[l["profile"] ?? ""] = l["status"]
        }
        return out
    }

    @Test(.enabled(if: Tool.nodeExporter != nil, "node_exporter is missing: scripts/ensure-deps prometheus-node-exporter"),
          .enabled(if: Tool.python != nil, "python3 is missing"),
          .timeLimit(.minutes(1)))
    func nodeExporterServesTheTextfile() throws {
        let dir = try Tool.temporaryDirectory("node-exporter")
        let input = ReportInput.offline.first { $0.name == "intel-vtx" }!
        let statuses = ReportStatuses(try input.json(in: dir))
        let textfiles = dir.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)
        let r = try Tool.virtcheck(["check"] + input.arguments + ["--format", "prometheus", "--output", textfiles.appendingPathComponent("virtcheck.prom").path])
        #expect(r.status == 0)

        let port = try FreePort.loopback()
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: Tool.nodeExporter!)
        exporter.arguments = ["--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
                              "--collector.textfile.directory=\(textfiles.path)"]
        exporter.standardOutput = FileHandle.nullDevice
        exporter.standardError = FileHandle.nullDevice
        try exporter.run()
        defer {
            exporter.terminate()
            exporter.waitUntilExit()
        }
        // Bounded wait for the exporter to listen: up to 15 s.
        var scraped = ""
        let fetch = "import urllib.request,sys\nprint(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())"
        for _ in 0..<75 where scraped.isEmpty {
            let f = try Tool.run(Tool.python!, ["-c", fetch, "http://127.0.0.1:\(port)/metrics"])
            if f.status == 0 { scraped = f.stdout } else { usleep(200_000) }
        }
        try #require(!scraped.isEmpty, "node_exporter did not answer on 127.0.0.1:\(port)")
        #expect(scraped.contains("node_textfile_scrape_error 0"), "the textfile collector read the file without error")
        #expect(PrometheusTests.findingStates(scraped) == statuses.findings)
        #expect(PrometheusTests.profileStates(scraped, metric: "virtcheck_profile_status") == statuses.profiles)
        #expect(PrometheusTests.profileStates(scraped, metric: "virtcheck_profile_cpu_status") == statuses.profileCPU)
        #expect(scraped.contains("virtcheck_guest_exit_latency_seconds{exit=\"userspace\",stat=\"median\"} 2.14e-06"))
        #expect(scraped.contains("virtcheck_last_run_timestamp_seconds "))
        #expect(scraped.contains("virtcheck_info{"))
    }

    @Test(arguments: ReportInput.all)
    func statesMatchTheJSON(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("prom-consistency")
        let statuses = ReportStatuses(try input.json(in: dir))
        let text = try input.render("prometheus", in: dir)
        #expect(PrometheusTests.findingStates(text) == statuses.findings)
        #expect(PrometheusTests.profileStates(text, metric: "virtcheck_profile_status") == statuses.profiles)
        let can = text.split(separator: "\n").first { $0.hasPrefix("virtcheck_can_run_vms{") && $0.hasSuffix(" 1") }
        let expected = ["true": "yes", "false": "no", "unknown": "unknown"][statuses.canRunVMs]!
        #expect(can == "virtcheck_can_run_vms{state=\"\(expected)\"} 1")
        #expect(text.contains("virtcheck_acceleration{mode=\"\(statuses.acceleration)\"} 1"))
        #expect(!text.contains("\u{1B}"))
    }
}
