import Foundation
import Testing

/// Every report validates against Data/schema/report.schema.json with a real validator, and the
/// schema is strict enough that a broken report does not.
@Suite(.enabled(if: Tool.virtcheck != nil, "the virtcheck binary is not built"),
       .enabled(if: Tool.pythonHas("jsonschema"), "python3-jsonschema is missing: scripts/ensure-deps python3-jsonschema"))
struct SchemaTests {
    static let schema = Tool.repoPath("Data/schema/report.schema.json")

    func validate(_ paths: [String]) throws -> Tool.Result {
        try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/validate_report.py"), SchemaTests.schema] + paths)
    }

    /// Through the binary: the captures in the repository (Data/hosts, Data/corpus, Tests
    /// fixtures, captured trees) and this host. (GateAgreementTests validates every fixture,
    /// the VMX MSR sets included, in process.)
    @Test func everyReportValidates() throws {
        let dir = try Tool.temporaryDirectory("schema")
        var paths: [String] = []
        for input in ReportInput.captures + [ReportInput.live] {
            let path = dir.appendingPathComponent("\(paths.count).json").path
            try input.render("json", in: dir).write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let r = try validate(paths)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == paths.count)
    }

    /// DESIGN.md: logical_cpus is the online CPUs, else cpuinfo's processors, else the dump's
    /// CPUs, else null; a tree that lists no CPU gave 0, which the schema (minimum 1) rejects.
    @Test func aTreeWithoutACPUListHasNoCPUCount() throws {
        let dir = try Tool.temporaryDirectory("schema-bare")
        let input = try #require(ReportInput.captures.first { $0.arguments == ["--root", ReportInput.bareRoot] })
        let json = try input.json(in: dir)
        #expect((json["host"] as? [String: Any])?["logical_cpus"] is NSNull)
    }

    /// The JSON of every other command validates against its own schema in Data/schema.
    @Test(arguments: [
        ("diff.schema.json", ["diff", "--format", "json", "Tests/Fixtures/cpuid-r/Intel-SapphireRapids-2xXeonMax9460.cpuid-r.txt",
                              "Tests/Fixtures/cpuid-r/Intel-CascadeLake-2xXeon6230.cpuid-r.txt"]),
        ("diff.schema.json", ["diff", "--format", "json", "Data/hosts/workplace-amd-epyc-kvm-pvm.json", "Tests/Fixtures/reports/intel-xeon.cpuinfo"]),
        ("baseline.schema.json", ["baseline", "--format", "json", "Tests/Fixtures/cpuid-r/AMD-19h-Zen3-2xEpyc-7763.cpuid-r.txt",
                                  "Tests/Fixtures/cpuid-r/AMD-19h-Zen4-2xEpyc-9654.cpuid-r.txt", "Data/hosts/workplace-amd-epyc-kvm-pvm.json",
                                  "Tests/Fixtures/reports/intel-xeon.cpuinfo"]),
        ("verify.schema.json", ["verify", "--format", "json"]),
        // Exit 3 on a host whose KVM offers no nesting (`not_run`), the on-CPU report where it does.
        ("verify.schema.json", ["verify", "--on-cpu", "--format", "json"]),
    ])
    func otherCommandsValidate(_ schema: String, _ arguments: [String]) throws {
        let dir = try Tool.temporaryDirectory("schema-commands")
        let r = try Tool.virtcheck(arguments)
        #expect([0, 1, 3].contains(r.status), "\(arguments): exit \(r.status): \(r.stderr)")
        let path = dir.appendingPathComponent("out.json").path
        try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let v = try Tool.run(Tool.python!, [Tool.repoPath("Tests/Tools/validate_report.py"), Tool.repoPath("Data/schema/\(schema)"), path])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(!r.stdout.contains(#"" : "#), "one JSON layout for every command")
    }

    /// `verify --against-kvm` runs the interpreter's programs in a real KVM guest: its JSON too.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/kvm"), "needs a /dev/kvm this user can open"))
    func theDifferentialRunValidates() throws {
        try otherCommandsValidate("verify.schema.json", ["verify", "--against-kvm", "--format", "json"])
    }

    /// Each mutation is one way a report can break; the schema must reject every one.
    @Test(arguments: [
        ("an unknown top-level key", #"r["extra"] = 1"#),
        ("an unknown key in cpu", #"r["cpu"]["typo"] = True"#),
        ("an unknown key in a finding", #"r["findings"][0]["severity"] = "high""#),
        ("a missing optional key (nulls must be explicit)", #"del r["host"]["logical_cpus"]"#),
        ("a status outside the contract", #"r["findings"][0]["status"] = "ok""#),
        ("a wrong schema_version", #"r["schema_version"] = 2"#),
        ("a string where a capability flag belongs", #"r["cpu"]["vmx"] = {**(r["cpu"]["vmx"] or {}), "ept": "yes"}"#),
        ("an acceleration outside the contract", #"r["verdict"]["acceleration"] = "fast""#),
        ("an unknown key in popek_goldberg", #"r["popek_goldberg"]["verdict"] = True"#),
        ("a sensitivity class outside the table's four", #"r["popek_goldberg"]["instructions"][0]["sensitivity"] = "sensitive""#),
    ])
    func brokenReportsDoNotValidate(_ what: String, _ mutation: String) throws {
        let dir = try Tool.temporaryDirectory("schema-broken")
        let good = dir.appendingPathComponent("good.json").path, bad = dir.appendingPathComponent("bad.json").path
        try ReportInput.offline.first { $0.name == "intel-vtx" }!.render("json", in: dir).write(toFile: good, atomically: true, encoding: .utf8)
        let script = "import json,sys\nr=json.load(open(sys.argv[1]))\n\(mutation)\njson.dump(r,open(sys.argv[2],'w'))\n"
        let m = try Tool.run(Tool.python!, ["-c", script, good, bad])
        try #require(m.status == 0, "mutation failed: \(m.stderr)")
        #expect(try validate([good]).status == 0)
        let r = try validate([bad])
        #expect(r.status == 1, "\(what) must not validate: \(r.stdout)")
    }
}
