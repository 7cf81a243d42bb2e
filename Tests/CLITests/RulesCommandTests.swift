import Foundation
import Testing

/// `explain`, `--policy` and per-profile gating, end to end through the built binary: exit codes
/// and one-line errors are the contract CI relies on.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct RulesCommandTests {
    static let conroe = VirtCheckBinary.repoPath("Tests/AnalysisTests/Fixtures/cpuid/conroe-core2-duo-e6750.txt")

    static func policyFile(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-policy-\(getpid())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func explainARule() throws {
        let r = try VirtCheckBinary.run(["explain", "cpu.unrestricted-guest"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("What it checks:"))
        #expect(r.stdout.contains("Required by profiles: bhyve"))
        #expect(r.stdout.contains("Sources:"))
    }

    @Test func explainAProfileAndTheList() throws {
        let p = try VirtCheckBinary.run(["explain", "hyper-v"])
        #expect(p.status == 0)
        #expect(p.stdout.contains("cpu.ept"))
        let l = try VirtCheckBinary.run(["explain", "--list"])
        #expect(l.status == 0)
        #expect(l.stdout.contains("cpu.vmx.enabled-by-firmware"))
        #expect(l.stdout.contains("sev-snp"))
    }

    /// The profiles for the seed's systems and the rules that source each requirement are explained.
    @Test(arguments: ["xen-pv", "paravirt", "vmware-esxi", "bochs", "virtual-pc", "containers", "cpu.nrip-save",
                      "cpu.vmx-ins-outs", "cpu.nx", "cpu.long-mode", "host.hyperv-root", "host.xen-dom0", "host.namespaces", "host.cgroups"])
    func explainEveryNewProfileAndRule(id: String) throws {
        let r = try VirtCheckBinary.run(["explain", id])
        #expect(r.status == 0, "\(id): \(r.stderr)")
        #expect(r.stdout.contains(id))
        #expect(r.stdout.contains("Sources:"))
    }

    @Test func explainNamesViaRulesAndTheProfilesUsingThem() throws {
        let p = try VirtCheckBinary.run(["explain", "vmware"])
        #expect(p.stdout.contains("or through host.hyperv-root"))
        let r = try VirtCheckBinary.run(["explain", "host.hyperv-root"])
        #expect(r.stdout.contains("Required by profiles: vm-host, vmware, virtualbox, hyper-v"))
    }

    @Test func explainAnUnknownIdExitsTwoWithCloseMatches() throws {
        let r = try VirtCheckBinary.run(["explain", "cpu.eptt"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("did you mean cpu.ept"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func profilesGateTheExitCode() throws {
        #expect(try VirtCheckBinary.run(["check", "--from", Self.conroe, "--profile", "bhyve", "--format", "json"]).status == 1)
        #expect(try VirtCheckBinary.run(["check", "--from", Self.conroe, "--profile", "qemu-tcg", "--format", "json"]).status == 0)
        let r = try VirtCheckBinary.run(["check", "--from", Self.conroe, "--format", "json"])
        #expect(r.status == 3)
        let profiles = try #require(r.json?["profiles"] as? [[String: Any]])
        #expect(profiles.count == 19)
        let bhyve = try #require(profiles.first { $0["id"] as? String == "bhyve" })
        #expect(bhyve["cpu"] as? String == "fail")
    }

    @Test func aPolicyRequiresAndOverrides() throws {
        let strict = try Self.policyFile("strict.yaml", "profiles: [vmware]\nstrict: true\n")
        #expect(try VirtCheckBinary.run(["check", "--from", Self.conroe, "--policy", strict]).status == 1)
        let lenient = try Self.policyFile("lenient.json", #"{"profiles": ["hyper-v"], "rules": {"cpu.ept": "warn", "cpu.vmx.enabled-by-firmware": "ignore"}}"#)
        let r = try VirtCheckBinary.run(["check", "--from", Self.conroe, "--policy", lenient, "--format", "json"])
        #expect(r.status == 0, "\(r.stdout)")
    }

    @Test func aBadPolicyExitsTwoWithOneLine() throws {
        let bad = try Self.policyFile("bad.yaml", "profiles: [kvm]\nrules:\n  cpu.eptt: fail\n")
        let r = try VirtCheckBinary.run(["check", "--from", Self.conroe, "--policy", bad])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("rules[\"cpu.eptt\"]: unknown rule id"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        let missing = try VirtCheckBinary.run(["check", "--from", Self.conroe, "--policy", "/nonexistent/policy.yaml"])
        #expect(missing.status == 2)
    }
}
