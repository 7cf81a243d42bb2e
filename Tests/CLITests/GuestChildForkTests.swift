import Foundation
import Testing

/// `check` forks its guest-run child instead of starting the binary again (issue 16: a fresh
/// start of virtcheck was 3 to 4 ms of every check's critical path, a fork 0.2 ms), proven with
/// strace: the only execve is virtcheck's own, one clone is a fork (SIGCHLD, no CLONE_VM or
/// CLONE_THREAD), and it is that process which opens /dev/kvm and runs the guests, whose
/// evidence the report then holds as a spawned child's was.
@Suite(.enabled(if: VirtCheckBinary.url != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                "needs strace (apt-get install strace) and the built binary"))
struct GuestChildForkTests {
    @Test func checkForksItsGuestRunChild() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fork-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("report.json").path
        let log = dir.appendingPathComponent("strace.log").path
        let r = try VirtCheckBinary.run(["check", "--format", "json", "--output", output], prefix: [
            "/usr/bin/strace", "-f", "-qq", "-o", log, "-e", "trace=execve,clone,clone3,fork,vfork,openat",
        ])
        #expect([0, 1, 3].contains(r.status), "check ran: \(r.stderr)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let execs = lines.filter { $0.contains("execve(") && !$0.contains("= -1") }
        #expect(execs.count == 1, "execve calls: \(execs)")
        #expect(!lines.contains { $0.contains("__guest-run") }, "the child was started as a new program")
        // `PID clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, …) = CHILD`
        let forks = lines.filter { ($0.contains("clone(") || $0.contains("clone3(")) && $0.contains("SIGCHLD") && !$0.contains("CLONE_VM") }
        try #require(forks.count == 1, "forks: \(forks)")
        let child = try #require(forks[0].split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) })
        if FileManager.default.fileExists(atPath: "/dev/kvm") {
            #expect(lines.contains { $0.hasPrefix("\(child) ") && $0.contains("\"/dev/kvm\"") }, "the forked child \(child) opened no /dev/kvm")
        }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any]
        let guestRun = (report?["kvm"] as? [String: Any])?["guest_run"] as? [String: Any]
        try #require(guestRun != nil, "no guest run in the report")
        if FileManager.default.isWritableFile(atPath: "/dev/kvm") {
            #expect(guestRun?["ok"] as? Bool == true, "guest run: \(guestRun?["error"] ?? "")")
        }
    }
}
