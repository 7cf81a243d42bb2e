import Analysis
import Foundation
import HostModel
import HostProbe
import Reporting
import Testing

/// The outputs a CI system or a fleet reads agree with the exit code and with the JSON, for every
/// capture in the repository: JUnit holds a failure exactly when `check` exits 1 (Jenkins and
/// GitLab fail a job on any `<failure>`), Prometheus and NFD carry the JSON's statuses. Each
/// output is read by its real consumer (junitparser, prometheus_client's parser, NFD's format).
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"),
       .enabled(if: Tool.pythonHas("junitparser"), "python3-junitparser is missing: scripts/ensure-deps python3-junitparser"),
       .enabled(if: Tool.pythonHas("prometheus_client"), "python3-prometheus-client is missing: scripts/ensure-deps python3-prometheus-client"))
struct GateAgreementTests {
    /// Through the binary, as CI runs it: `check --profile kvm` (the audit's case: exit 0 with 50
    /// JUnit failures from profiles nobody required), every format from one input.
    @Test(arguments: ReportInput.captures)
    func everyOutputAgreesWithTheExitCode(_ input: ReportInput) throws {
        let dir = try Tool.temporaryDirectory("gate")
        var paths: [String] = []
        var codes: Set<Int32> = []
        for format in ["json", "junit", "prometheus", "nfd"] {
            let path = dir.appendingPathComponent("out.\(format)").path
            let r = try Tool.virtcheck(["check"] + input.arguments + ["--profile", "kvm", "--format", format, "--output", path])
            try #require([0, 1, 3].contains(r.status), "\(input.name) --format \(format): exit \(r.status): \(r.stderr)")
            codes.insert(r.status)
            paths.append(path)
        }
        #expect(codes.count == 1, "one input, one exit code whatever the format: \(codes)")
        let r = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/compare_outputs.py"), String(codes.first ?? -1)] + paths)
        #expect(r.status == 0, "\(input.name):\n\(r.stdout)\(r.stderr)")
    }

    /// Every profile alone (and under --strict and two policies), every fixture: the gate and the JUnit renderer
    /// in process (the binary's path, without a process per pair), the JUnit read by junitparser.
    @Test func junitFailsExactlyWhenTheGateDoes() throws {
        let dir = try Tool.temporaryDirectory("gate-matrix")
        let epoch = Date(timeIntervalSince1970: 0)
        var expected: [String: Int32] = [:]
        let choices: [[String]] = [[]] + ProfileEvaluator.profiles.map { [$0.id] }
        let captures = Set(ReportInput.captures.map(\.name))
        for input in ReportInput.every {
            let assessment = Assessor.assess(try GateAgreementTests.snapshot(input))
            for profiles in choices {
                // --strict on the captures: it turns required unknowns into failures.
                for strict in captures.contains(input.name) ? [false, true] : [false] {
                    let gate = GateDecision(assessment, profiles: profiles, strict: strict)
                    let xml = JUnitRenderer(timestamp: epoch).render(Report(assessment, gate: gate))
                    let path = dir.appendingPathComponent("\(expected.count).xml").path
                    try xml.write(toFile: path, atomically: true, encoding: .utf8)
                    expected[path] = gate.exitCode
                }
            }
            // Policies: every rule required on its own (per-device findings included), and every
            // failure tolerated (fail becomes warn).
            for policy in GateAgreementTests.policies where captures.contains(input.name) {
                let assessed = Assessor.assess(try GateAgreementTests.snapshot(input), policy: policy)
                let gate = GateDecision(assessed, profiles: [], policy: policy)
                let path = dir.appendingPathComponent("\(expected.count).xml").path
                try JUnitRenderer(timestamp: epoch).render(Report(assessed, gate: gate)).write(toFile: path, atomically: true, encoding: .utf8)
                expected[path] = gate.exitCode
            }
        }
        let r = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/junit_failures.py")] + expected.keys.sorted())
        try #require(r.status == 0, "\(r.stderr)")
        var seen = 0, failing = 0
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let path = String(parts[0]), failures = Int(parts[1]) ?? -1
            let code = try #require(expected[path])
            seen += 1
            if code == 1 { failing += 1 }
            #expect((failures > 0) == (code == 1), "\(path): exit \(code) but \(failures) JUnit failures")
        }
        #expect(seen == expected.count)
        #expect(failing > 0 && failing < seen, "the matrix holds passing and failing gates")
    }

    /// Every fixture, the 176 VMX MSR sets included, in process through the one format table
    /// (`ReportFormat`, as `check` renders): for a plain run and for `--profile kvm`, JSON that
    /// validates against the schema, and JUnit, Prometheus and NFD that agree with it and with
    /// the gate, each read by its consumer in one batch.
    @Test func everyFixtureInEveryFormat() throws {
        let dir = try Tool.temporaryDirectory("gate-every")
        let options = ReportFormat.Options(now: Date())
        var runs: [String] = [], reports: [String] = []
        for input in ReportInput.every {
            let assessment = Assessor.assess(try GateAgreementTests.snapshot(input))
            for profiles in [[], ["kvm"]] {
                let report = Report(assessment, gate: GateDecision(assessment, profiles: profiles))
                let base = dir.appendingPathComponent("\(reports.count)").path
                var paths: [String] = []
                for format in [ReportFormat.json, .junit, .prometheus, .nfd] {
                    let path = "\(base).\(format.rawValue)"
                    try format.renderer(options).render(report).write(toFile: path, atomically: true, encoding: .utf8)
                    paths.append(path)
                }
                runs += [String(report.gate.exitCode)] + paths
                reports.append(paths[0])
            }
        }
        let schema = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/validate_report.py"), Tool.repoPath("Data/schema/report.schema.json")] + reports)
        #expect(schema.status == 0, "\(schema.stdout.split(separator: "\n").filter { !$0.hasPrefix("ok ") }.prefix(20).joined(separator: "\n"))\(schema.stderr)")
        let compared = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/compare_outputs.py")] + runs)
        #expect(compared.status == 0, "\(compared.stdout.prefix(4000))\(compared.stderr)")
        #expect(reports.count == 2 * ReportInput.every.count)
    }

    static let policies: [Policy] = [
        Policy(rules: Dictionary(uniqueKeysWithValues: RuleCatalogue.builtIn.ids.map { ($0, Policy.Override.fail) })),
        Policy(profiles: ["kvm"], rules: Dictionary(uniqueKeysWithValues: RuleCatalogue.builtIn.ids.map { ($0, Policy.Override.warn) })),
    ]

    /// The input as `check` loads it: `--from` files, or a captured `--root` tree.
    static func snapshot(_ input: ReportInput) throws -> Snapshot {
        func path(_ p: String) -> String { p.hasPrefix("/") ? p : Tool.repoPath(p) }
        if input.arguments.first == "--root" {
            return LiveProbe.snapshot(root: HostRoot(path: path(input.arguments[1]), isLive: false), options: .init(runGuest: false))
        }
        let paths = stride(from: 1, to: input.arguments.count, by: 2).map { path(input.arguments[$0]) }
        return try OfflineLoader.load(paths: paths)
    }
}
