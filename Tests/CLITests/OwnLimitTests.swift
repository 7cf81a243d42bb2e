import Foundation
import Testing

/// virtcheck's own limits are never a verdict about the host: under real ulimits on the real
/// binary, a live `check` on a host whose guest run passes answers pass (0) or unknown (3, with
/// the reason and the limit to raise) — never fail (1), never a hang. Found by looping the
/// limits (docs/reliability.md): descriptors 4-6 and processes 1-4 (as nobody in the kvm group)
/// changed the answer; before, they gave `kvm.guest-run` fail, verdict `none`, exit 1, or hung.
@Suite(.enabled(if: VirtCheckBinary.url != nil && geteuid() == 0 && access("/dev/kvm", R_OK | W_OK) == 0
                    && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                "needs root, a usable /dev/kvm and setpriv"))
struct OwnLimitTests {
    /// The baseline: without limits the guest must run here, or nothing below can be judged.
    static func unlimited() throws -> [String: String] {
        let r = try VirtCheckBinary.run(["check", "--format", "json"])
        let json = try #require(r.json, "\(r.stderr)")
        try #require(NonRootTests.statuses(json)["kvm.guest-run|"] == "pass", "the guest run does not pass on this host")
        return NonRootTests.statuses(json)
    }

    /// A run under a limit: pass or unknown; no finding fails that passes without the limit; an
    /// unknown guest run names virtcheck's own reason and a remedy.
    static func expectNoVerdictFromOwnLimit(_ r: VirtCheckBinary.Result, baseline: [String: String], _ what: String) throws {
        #expect(!r.timedOut, "\(what): hung")
        #expect(r.status == 0 || r.status == 3, "\(what): exit \(r.status): \(r.stderr)")
        let json = try #require(r.json, "\(what): no report: \(r.stderr)")
        for (key, status) in NonRootTests.statuses(json) where status == "fail" {
            #expect(baseline[key] == "fail", "\(what): \(key) fails only under the limit")
        }
        let findings = json["findings"] as? [[String: Any]] ?? []
        let run = try #require(findings.first { $0["id"] as? String == "kvm.guest-run" })
        if run["status"] as? String == "unknown" {
            #expect((run["summary"] as? String)?.contains("its own reasons") == true, "\(what): \(run)")
            #expect((run["remediation"] as? String)?.contains("ulimit") == true, "\(what): \(run)")
            let verdict = json["verdict"] as? [String: Any]
            #expect(verdict?["acceleration"] as? String == "unknown", "\(what)")
        }
    }

    /// RLIMIT_NOFILE from 4 (3 only lets the dynamic loader fail, before virtcheck runs) upward.
    @Test func fewDescriptorsAreNeverAFailure() throws {
        let baseline = try Self.unlimited()
        var unknownAt: [Int] = []
        for n in Array(4...16) + [20, 24, 32, 64] {
            let r = try VirtCheckBinary.run(["check", "--format", "json"], prefix: ["/bin/sh", "-c", "ulimit -n \(n); exec \"$0\" \"$@\""], timeout: 120)
            try Self.expectNoVerdictFromOwnLimit(r, baseline: baseline, "ulimit -n \(n)")
            if r.status == 3 { unknownAt.append(n) }
        }
        #expect(!unknownAt.isEmpty, "no descriptor limit reached the guest run: the test tests nothing")
    }

    /// RLIMIT_NPROC counts the whole user's processes and threads and binds only an ordinary
    /// user, so the run is as nobody with the kvm group (the device's group here).
    @Test func fewProcessesAreNeverAFailureNorAHang() throws {
        let baseline = try Self.unlimited()
        var st = stat()
        try #require(stat("/dev/kvm", &st) == 0)
        let asNobodyWithKVM = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--groups=\(st.st_gid)"]
        var unknownAt: [Int] = []
        for u in [1, 2, 3, 4, 5, 6, 8, 16] {
            let r = try VirtCheckBinary.run(["check", "--format", "json"],
                                            prefix: asNobodyWithKVM + ["/bin/bash", "-c", "ulimit -u \(u); exec \"$0\" \"$@\""], timeout: 120)
            try Self.expectNoVerdictFromOwnLimit(r, baseline: baseline, "ulimit -u \(u)")
            if r.status == 3 { unknownAt.append(u) }
        }
        #expect(unknownAt.contains(1), "ulimit -u 1 must stop the guest run")
    }

    /// Without access to /dev/kvm the differential run compares nothing: unknown (3) with the
    /// reason, not 86 "unexplained" disagreements (1); the report says it did not run and why.
    @Test func verifyAgainstKVMWithoutAccessIsUnknown() throws {
        let r = try VirtCheckBinary.run(["verify", "--against-kvm"], prefix: NonRootTests.asNobody)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("cannot open /dev/kvm"), "\(r.stderr)")
        #expect(r.stdout.hasPrefix("x86 guest-code interpreter vs. a real KVM guest: not run (unknown): cannot open /dev/kvm"))
        let j = try VirtCheckBinary.run(["verify", "--against-kvm", "--format", "json"], prefix: NonRootTests.asNobody)
        let notRun = try #require(j.json?["not_run"] as? [String: Any], "\(j.stdout)")
        #expect(j.status == 3 && notRun["mode"] as? String == "against_kvm" && j.json?["differential"] is NSNull)
        #expect((notRun["reason"] as? String)?.contains("cannot open /dev/kvm") == true)
    }

    /// The same under a descriptor limit that leaves the parent able to open /dev/kvm but not the
    /// child to run: never "unexplained".
    @Test func verifyAgainstKVMUnderOwnLimitsIsNeverAFailure() throws {
        for n in 4...8 {
            let r = try VirtCheckBinary.run(["verify", "--against-kvm"], prefix: ["/bin/sh", "-c", "ulimit -n \(n); exec \"$0\" \"$@\""], timeout: 120)
            #expect(r.status == 0 || r.status == 3, "ulimit -n \(n): exit \(r.status): \(r.stderr.prefix(300))")
        }
    }
}
