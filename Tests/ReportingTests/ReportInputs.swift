import Foundation
import Testing

/// The hosts the report tests render: every capture in Data/hosts/, the report fixtures (an
/// Intel host with a guest run, an AMD host whose guest failed, a hostile snapshot), loose
/// `--from` files, and this host itself.
struct ReportInput: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var testDescription: String { name }

    static let fixtures = "Tests/Fixtures/reports"

    static let offline: [ReportInput] = {
        var inputs: [ReportInput] = []
        let hosts = (try? FileManager.default.contentsOfDirectory(atPath: Tool.repoPath("Data/hosts"))) ?? []
        for file in hosts.sorted() where file.hasSuffix(".json") {
            inputs.append(ReportInput(name: "Data/hosts/\(file)", arguments: ["--from", "Data/hosts/\(file)"]))
        }
        for name in ["intel-vtx", "amd-svm-guest-failed", "hostile"] {
            inputs.append(ReportInput(name: name, arguments: ["--from", "\(fixtures)/\(name).snapshot.json"]))
        }
        inputs.append(ReportInput(name: "intel cpuinfo + MSR listing",
                                  arguments: ["--from", "\(fixtures)/intel-xeon.cpuinfo", "--from", "\(fixtures)/intel-xeon.msr"]))
        return inputs
    }()

    /// Every capture in the repository a user could give `check` but the 176 VMX MSR sets: the
    /// report inputs above, the Data/corpus samples (`--from`, one host each), the Tests fixtures
    /// (cpuid-r dumps, CPUID dumps, MSR listings, pasted lspci/dmesg output, the CLI's hostile snapshot) and captured trees
    /// (`--root`), plus a tree with no CPU list at all. Small enough to run the binary on each.
    static let captures: [ReportInput] = {
        var inputs = offline
        var files: [String] = []
        for dir in ["Data/corpus", "Tests/Fixtures/cpuid-r", "Tests/AnalysisTests/Fixtures/cpuid", "Tests/AnalysisTests/Fixtures/msr",
                    "Tests/HostProbeTests/Fixtures/pasted"] {
            let root = Tool.repoPath(dir)
            let found = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            for relative in found where !relative.hasSuffix(".md") && !relative.hasSuffix(".csv") {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDir), !isDir.boolValue {
                    files.append("\(dir)/\(relative)")
                }
            }
        }
        files.append("Tests/CLITests/Fixtures/hostile-snapshot.json")
        inputs += files.sorted().map { ReportInput(name: $0, arguments: ["--from", $0]) }
        // Pasted output of one machine given together: dmesg, cpuinfo, lspci -xxxx and -vvv.
        let pasted = "Tests/HostProbeTests/Fixtures/pasted/kvm-guest__"
        inputs.append(ReportInput(name: "pasted dmesg + cpuinfo + lspci", arguments: ["dmesg.txt", "cpuinfo.txt", "lspci-xxxx.txt", "lspci-nnvvvk.txt"]
            .flatMap { ["--from", pasted + $0] }))
        // The lab machines' own dmesg, lspci -vvv and lspci -xxxx (Data/hosts/lab-*/), together.
        for host in ((try? FileManager.default.contentsOfDirectory(atPath: Tool.repoPath("Data/hosts"))) ?? []).sorted()
        where !host.contains(".") {
            let texts = ["dmesg.txt", "lspci-vvv.txt", "lspci-xxxx.txt"].map { "Data/hosts/\(host)/\($0)" }
                .filter { FileManager.default.fileExists(atPath: Tool.repoPath($0)) }
            if !texts.isEmpty { inputs.append(ReportInput(name: "pasted text of \(host)", arguments: texts.flatMap { ["--from", $0] })) }
        }
        for roots in ["Tests/CLITests/Fixtures/roots", "Tests/HostProbeTests/Fixtures/roots"] {
            for tree in ((try? FileManager.default.contentsOfDirectory(atPath: Tool.repoPath(roots))) ?? []).sorted() {
                inputs.append(ReportInput(name: "--root \(roots)/\(tree)", arguments: ["--root", "\(roots)/\(tree)"]))
            }
        }
        inputs.append(ReportInput(name: "--root of a tree without a CPU list", arguments: ["--root", bareRoot]))
        return inputs
    }()

    /// `captures` and the VMX MSR sets (a `cpuid -r` dump and an MSR listing per CPU, `--from DIR`).
    static let every: [ReportInput] = {
        let sets = "Tests/AnalysisTests/Fixtures/vmx-msr-sets"
        let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: Tool.repoPath(sets))) ?? []).sorted()
        return captures + dirs.filter { !$0.hasSuffix(".md") }.map { ReportInput(name: "\(sets)/\($0)", arguments: ["--from", "\(sets)/\($0)"]) }
    }()

    /// A captured tree with only an empty /proc: no cpuinfo, no CPU list, no dump.
    static let bareRoot: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-bare-root-\(getpid())")
        try? FileManager.default.createDirectory(at: dir.appendingPathComponent("proc"), withIntermediateDirectories: true)
        return dir.path
    }()

    static let live = ReportInput(name: "this host (live)", arguments: [])
    static let all = offline + [live]
    static let hostile = offline.first { $0.name == "hostile" }!

    /// Runs `check` with `--format F --output FILE` (the atomic path every consumer reads) and
    /// returns the file's text; exit codes other than the verdict codes 0, 1, 3 fail the test.
    func render(_ format: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("\(format)-\(UUID().uuidString.prefix(6))").path
        let r = try Tool.virtcheck(["check"] + arguments + ["--format", format, "--output", path])
        #expect([0, 1, 3].contains(r.status), "\(name) --format \(format): exit \(r.status): \(r.stderr)")
        #expect(r.stdout.isEmpty, "with --output nothing goes to stdout")
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The JSON report as Foundation objects, the reference the other formats are compared with.
    func json(in dir: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(render("json", in: dir).utf8)) as? [String: Any])
    }
}

/// The statuses the JSON report gives, keyed as the other formats key them.
struct ReportStatuses {
    var findings: [String: String] = [:]
    var profiles: [String: String] = [:]
    var profileCPU: [String: String] = [:]
    var canRunVMs: String
    var acceleration: String

    init(_ json: [String: Any]) {
        for f in json["findings"] as? [[String: Any]] ?? [] {
            findings[ReportStatuses.key(f["id"] as? String ?? "", f["subject"] as? String)] = f["status"] as? String
        }
        for p in json["profiles"] as? [[String: Any]] ?? [] {
            profiles[p["id"] as? String ?? ""] = p["status"] as? String
            profileCPU[p["id"] as? String ?? ""] = p["cpu"] as? String
        }
        let verdict = json["verdict"] as? [String: Any] ?? [:]
        canRunVMs = (verdict["can_run_vms"] as? Bool).map { $0 ? "true" : "false" } ?? "unknown"
        acceleration = verdict["acceleration"] as? String ?? ""
    }

    static func key(_ id: String, _ subject: String?) -> String { subject.map { "\(id) [\($0)]" } ?? id }
}
