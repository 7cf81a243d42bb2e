import Foundation
import Testing

/// A cpuinfo or lscpu copy inside a `--root` tree or a snapshot that does not parse is missing
/// evidence with its reason: the rules left without CPU evidence are `unknown` and name the file,
/// line and fault, the same in the tree, in `capture --root`'s snapshot of it and in `check --from`
/// that snapshot; `diff` refuses it (exit 2) naming the same fault. It used to be dropped without a
/// word ("No CPUID or cpuinfo evidence was available"). The trees are hand-made: no real kernel
/// writes a cpuinfo without `key : value` lines.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct UnusableCPUTextTests {
    static let cpuinfoFault = "not a `key : value` cpuinfo line"

    /// A tree whose only CPU evidence is a cpuinfo with a line that is not `key : value`.
    static func tree(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/proc/sys/kernel", withIntermediateDirectories: true)
        try "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx lm nx\nthis line has no colon\n"
            .write(toFile: dir + "/proc/cpuinfo", atomically: false, encoding: .utf8)
        try "6.1.0-57-amd64\n".write(toFile: dir + "/proc/sys/kernel/osrelease", atomically: false, encoding: .utf8)
        return dir
    }

    static func finding(_ r: VirtCheckBinary.Result, _ id: String) -> [String: Any]? {
        (r.json?["findings"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    @Test func unparseableCpuinfoInATreeIsUnknownWithItsReason() throws {
        let dir = try Self.tree("bad-cpuinfo-root")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try VirtCheckBinary.run(["check", "--root", dir, "--no-guest", "--format", "json"], timeout: 60)
        #expect([1, 3].contains(r.status), "\(r.stderr)")
        let vmx = try #require(Self.finding(r, "cpu.vmx"))
        #expect(vmx["status"] as? String == "unknown")
        let summary = try #require(vmx["summary"] as? String)
        #expect(summary.contains(Self.cpuinfoFault), "\(summary)")
        #expect(summary.contains("cpuinfo:4"), "the line is named: \(summary)")
        #expect(Self.finding(r, "cpu.nx")?["summary"].map { "\($0)" }?.contains(Self.cpuinfoFault) == true)

        // The same tree captured, then read back: the same answer, not a refusal and not silence.
        let snapshot = dir + "-snapshot.json"
        defer { unlink(snapshot) }
        let capture = try VirtCheckBinary.run(["capture", "--root", dir, "--no-guest", "--output", snapshot], timeout: 60)
        #expect(capture.status == 0, "\(capture.stderr)")
        let again = try VirtCheckBinary.run(["check", "--from", snapshot, "--format", "json"], timeout: 60)
        #expect(again.status == r.status, "\(again.stderr)")
        #expect(Self.finding(again, "cpu.vmx")?["status"] as? String == "unknown")
        #expect((Self.finding(again, "cpu.vmx")?["summary"] as? String)?.contains(Self.cpuinfoFault) == true)

        // diff has nothing to compare: one line naming the fault, exit 2.
        let diff = try VirtCheckBinary.run(["diff", snapshot, snapshot], timeout: 60)
        #expect(diff.status == 2, "\(diff.stderr)")
        #expect(diff.stdout.isEmpty)
        #expect(diff.stderr.split(separator: "\n").count == 1)
        #expect(diff.stderr.contains(Self.cpuinfoFault), "\(diff.stderr)")
    }

    /// A snapshot whose lscpu copy does not parse (edited by hand: virtcheck never writes one).
    @Test func unparseableLscpuInASnapshotIsUnknownWithItsReason() throws {
        let snapshot = try BadInputTests.temp("bad-lscpu-snapshot.json", [])
        let capture = try VirtCheckBinary.run(["capture", "--from", VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest/cpuid-r.txt"),
                                               "--output", snapshot], timeout: 60)
        try #require(capture.status == 0, "\(capture.stderr)")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot))) as? [String: Any])
        json["cpuid"] = nil
        json["lscpu"] = ["source": "lscpu.txt", "status": "ok", "text": "Architecture: x86_64\nFlags: fpu svm lm nx\nno colon on this line\n"]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: snapshot))
        let r = try VirtCheckBinary.run(["check", "--from", snapshot, "--format", "json"], timeout: 60)
        #expect(r.status != 2, "\(r.stderr)")
        let svm = try #require(Self.finding(r, "cpu.svm"))
        #expect(svm["status"] as? String == "unknown")
        #expect((svm["summary"] as? String)?.contains("lscpu.txt:3: not a `Key: value` lscpu line") == true, "\(svm)")
    }
}
