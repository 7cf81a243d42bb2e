import Foundation
import Testing

/// Run as an unprivileged user, nothing that needs root may be reported as `fail`: it is
/// `unknown` (or `warn` for "this user may not"), with the reason and what to run instead.
@Suite(.enabled(if: VirtCheckBinary.url != nil && geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                "needs root (to drop to nobody with setpriv) and the built binary"))
struct NonRootTests {
    static let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    static func statuses(_ json: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for f in json["findings"] as? [[String: Any]] ?? [] {
            let key = "\(f["id"] as? String ?? "")|\(f["subject"] as? String ?? "")"
            out[key] = f["status"] as? String
        }
        return out
    }

    @Test func nothingThatNeedsRootFails() throws {
        let user = try VirtCheckBinary.run(["check", "--format", "json"], prefix: Self.asNobody)
        let userJSON = try #require(user.json, "non-root run printed JSON: \(user.stderr)")
        let rootJSON = try #require(try VirtCheckBinary.run(["check", "--format", "json"]).json)
        let asUser = Self.statuses(userJSON), asRoot = Self.statuses(rootJSON)
        for (key, status) in asUser where status == "fail" {
            #expect(asRoot[key] == "fail", "\(key) fails only for lack of privilege")
        }
        #expect((userJSON["host"] as? [String: Any])?["root"] as? Bool == false)
        if access("/dev/kvm", F_OK) == 0, user.status != 0 {
            // /dev/kvm root-only here: the run could not be tried, so the answer is unknown (3).
            #expect(user.status == 3)
            let run = (userJSON["findings"] as? [[String: Any]])?.first { $0["id"] as? String == "kvm.guest-run" }
            #expect(run?["status"] as? String == "unknown")
            #expect((run?["remediation"] as? String)?.isEmpty == false)
        }
    }
}
