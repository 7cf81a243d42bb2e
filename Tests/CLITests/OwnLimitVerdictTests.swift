import Foundation
import Testing

/// The contract for a guest run that failed for virtcheck's own reasons, anywhere (no KVM
/// needed): the real capture of this project's workplace host (Data/hosts), whose guest run
/// passed, with its run replaced in the test by the two kinds of failure. A run with `own_limit`
/// is unknown (3, 1 only with --strict) and names the limit; the same failure without it is the
/// host's (fail, 1).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct OwnLimitVerdictTests {
    static let capture = VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json")

    /// The capture with `kvm.guest_run` replaced, written to a temporary file.
    static func capture(guestRun: [String: Any], name: String) throws -> String {
        var snapshot = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: capture))) as? [String: Any])
        var kvm = try #require(snapshot["kvm"] as? [String: Any])
        kvm["guest_run"] = guestRun
        snapshot["kvm"] = kvm
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-ownlimit-\(name)-\(getpid()).json").path
        try JSONSerialization.data(withJSONObject: snapshot).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let spawnFailure = "posix_spawn /proc/self/exe: Resource temporarily unavailable (errno 11)"

    static func guestRun(_ json: [String: Any]?) -> [String: Any]? {
        (json?["findings"] as? [[String: Any]])?.first { $0["id"] as? String == "kvm.guest-run" }
    }

    @Test func ownLimitIsUnknownAndNamesTheLimit() throws {
        let limit = Self.spawnFailure + ": too many processes or threads; raise `ulimit -u` for virtcheck"
        let path = try Self.capture(guestRun: ["ok": false, "runs": [], "timed_out": false, "error": Self.spawnFailure, "own_limit": limit], name: "own")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"])
        #expect(r.status == 3, "\(r.stderr)")
        let finding = Self.guestRun(r.json)
        #expect(finding?["status"] as? String == "unknown")
        #expect((finding?["summary"] as? String)?.contains("raise `ulimit -u`") == true)
        #expect((finding?["remediation"] as? String)?.contains("ulimit -n") == true)
        #expect((r.json?["verdict"] as? [String: Any])?["acceleration"] as? String == "unknown")
        #expect(((r.json?["kvm"] as? [String: Any])?["guest_run"] as? [String: Any])?["own_limit"] as? String == limit)

        let strict = try VirtCheckBinary.run(["check", "--from", path, "--strict"])
        #expect(strict.status == 1, "--strict turns the required unknown into a failure")
    }

    @Test func theSameFailureWithoutOwnLimitIsTheHosts() throws {
        let path = try Self.capture(guestRun: ["ok": false, "runs": [], "timed_out": false, "error": "KVM_CREATE_VM: Invalid argument (errno 22)"], name: "host")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(Self.guestRun(r.json)?["status"] as? String == "fail")
        #expect((r.json?["verdict"] as? [String: Any])?["acceleration"] as? String == "none")
    }
}
