import Foundation
import Testing

/// `virtcheck check` end to end on this host and on captures.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct CheckCommandTests {
    static let kvmUsable = access("/dev/kvm", R_OK | W_OK) == 0

    @Test(.enabled(if: kvmUsable, "/dev/kvm is absent or not accessible to this user"))
    func liveCheckProvesKVMByRunningAGuest() throws {
        let r = try VirtCheckBinary.run(["check", "--format", "json"])
        let json = try #require(r.json, "stdout is JSON: \(r.stderr)")
        let verdict = try #require(json["verdict"] as? [String: Any])
        let kvm = try #require(json["kvm"] as? [String: Any])
        let run = try #require(kvm["guest_run"] as? [String: Any])
        #expect(run["ok"] as? Bool == true)
        #expect(verdict["can_run_vms"] as? Bool == true)
        #expect(r.status == 0)
        let modes = run["modes"] as? [String] ?? []
        #expect(modes.contains("real") && modes.contains("long64"))
        let cpu = try #require(json["cpu"] as? [String: Any])
        let features = try #require(cpu["features"] as? [String: Bool])
        if features["vmx"] == false && features["svm"] == false {
            // This workplace: kvm_pvm gives KVM with no VT-x/AMD-V flag, where kvm-ok says no.
            #expect(verdict["acceleration"] as? String == "software-nested")
        } else {
            #expect(verdict["acceleration"] as? String == "hardware")
        }
    }

    @Test func noGuestMeansUnknownAndExitThree() throws {
        let r = try VirtCheckBinary.run(["check", "--no-guest", "--format", "json"])
        let json = try #require(r.json)
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(verdict["acceleration"] as? String == "unknown")
        #expect(r.status == 3)
        let strict = try VirtCheckBinary.run(["check", "--no-guest", "--strict", "--format", "json"])
        #expect(strict.status == 1)
    }

    @Test func unknownProfileIsAUsageError() throws {
        let r = try VirtCheckBinary.run(["check", "--profile", "no-such-profile"])
        #expect(r.status == 64)
    }

    @Test func captureThenAnalyseOfflineGivesTheSameFacts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-capture-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("snap.json").path
        let cap = try VirtCheckBinary.run(["capture", "--no-guest", "--output", path])
        #expect(cap.status == 0)
        #expect(cap.stdout.isEmpty)
        let live = try #require(try VirtCheckBinary.run(["check", "--no-guest", "--format", "json"]).json)
        let offline = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"])
        let off = try #require(offline.json)
        #expect(NSDictionary(dictionary: live["cpu"] as! [String: Any]) == NSDictionary(dictionary: off["cpu"] as! [String: Any]))
        #expect((off["source"] as? [String: Any])?["kind"] as? String == "snapshot")
        #expect(offline.status == 3, "offline input has no guest run: unknown, exit 3")
    }

    @Test func textOutputPipedIsPlainAndSaysTheVerdict() throws {
        let r = try VirtCheckBinary.run(["check", "--no-guest"])
        #expect(r.stdout.contains("Can this host run accelerated VMs?"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when piped")
        #expect(r.stdout.contains("[UNKNOWN] kvm.guest-run"))
    }

    @Test func quietPrintsOnlyWhatIsNotAPass() throws {
        let r = try VirtCheckBinary.run(["check", "--no-guest", "--quiet"])
        // No passing finding ("[PASS] id: ...") and no passing profile ("id [PASS] [CPU] ..."); an
        // unknown profile may still show a passing CPU column (containers: the CPU needs nothing).
        for line in r.stdout.split(separator: "\n") {
            let words = line.split(separator: " ")
            #expect(words.first != "[PASS]" && (words.count < 2 || words[1] != "[PASS]"), "\(line)")
        }
        #expect(r.stdout.contains("[UNKNOWN]"))
    }

    @Test func versionAndHelp() throws {
        let v = try VirtCheckBinary.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.split(separator: ".").count == 3)
        let h = try VirtCheckBinary.run(["check", "--help"])
        #expect(h.stdout.contains("Examples:"))
        #expect(h.stdout.contains("--from"))
    }
}

/// `--root DIR` reads a captured tree through the live code path, touching nothing live.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct RootTreeTests {
    @Test func capturedGenoaGuestTree() throws {
        let root = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest")
        let r = try VirtCheckBinary.run(["check", "--root", root, "--format", "json"])
        let json = try #require(r.json, "stdout is JSON: \(r.stderr)")
        let host = try #require(json["host"] as? [String: Any])
        #expect(host["vendor"] as? String == "AuthenticAMD")
        #expect(host["family"] as? Int == 25)
        #expect(host["model"] as? Int == 17)
        #expect(host["logical_cpus"] as? Int == 2)
        #expect((host["hypervisor"] as? [String: Any])?["signature"] as? String == "KVMKVMKVM")
        let kvm = try #require(json["kvm"] as? [String: Any])
        #expect(kvm["backend"] as? String == "kvm_pvm")
        #expect((json["source"] as? [String: Any])?["kind"] as? String == "root")
        #expect((json["verdict"] as? [String: Any])?["acceleration"] as? String == "unknown", "a tree cannot run a guest")
        #expect(r.status == 3)
    }

    /// Xen's dom0 read from a --root tree through the live reader: HVM runs through Xen, KVM does not.
    @Test func xenControlDomainRunsHVMThroughXen() throws {
        let root = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/xen-dom0")
        let r = try VirtCheckBinary.run(["check", "--root", root, "--profile", "xen-hvm", "--format", "json"])
        let json = try #require(r.json, "stdout is JSON: \(r.stderr)")
        let profiles = try #require(json["profiles"] as? [[String: Any]])
        let xen = try #require(profiles.first { $0["id"] as? String == "xen-hvm" })
        #expect(xen["status"] as? String == "pass")
        #expect(xen["via"] as? [String] == ["host.xen-dom0"])
        let kvm = try #require(profiles.first { $0["id"] as? String == "kvm" })
        #expect(kvm["cpu"] as? String == "fail")
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.first { $0["id"] as? String == "host.xen-dom0" }?["status"] as? String == "pass")
        #expect(r.status == 0)
    }

    @Test func missingRootIsUnusableInput() throws {
        let r = try VirtCheckBinary.run(["check", "--root", "/nonexistent/tree"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
    }
}
