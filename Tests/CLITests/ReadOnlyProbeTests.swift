import Foundation
import Testing

/// The live probe is read-only, proven with strace: it opens nothing for writing but /dev/kvm
/// and its own output, writes no MSR (no pwrite at all), and loads no module.
@Suite(.enabled(if: VirtCheckBinary.url != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                "needs strace (apt-get install strace) and the built binary"))
struct ReadOnlyProbeTests {
    struct Trace {
        var writableOpens: [String] = []
        var pwrites = 0
        var moduleLoads = 0
    }

    static func trace(_ arguments: [String]) throws -> (Trace, VirtCheckBinary.Result) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-strace-\(getpid())-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let r = try VirtCheckBinary.run(arguments, prefix: [
            "/usr/bin/strace", "-f", "-qq", "-o", log,
            "-e", "trace=open,openat,openat2,creat,pwrite64,pwritev,pwritev2,init_module,finit_module",
        ])
        var t = Trace()
        let text = try String(contentsOfFile: log, encoding: .utf8)
        for line in text.split(separator: "\n") {
            if line.contains("init_module(") { t.moduleLoads += 1 }
            if line.contains("pwrite") { t.pwrites += 1 }
            guard line.contains("open") || line.contains("creat("), line.contains("O_WRONLY") || line.contains("O_RDWR") || line.contains("creat(") else { continue }
            if line.contains("= -1") { continue }
            if let start = line.firstIndex(of: "\""), let end = line[line.index(after: start)...].firstIndex(of: "\"") {
                t.writableOpens.append(String(line[line.index(after: start)..<end]))
            }
        }
        return (t, r)
    }

    @Test func liveCheckWritesOnlyItsOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-ro-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let output = dir.appendingPathComponent("report.json").path
        let (t, r) = try Self.trace(["check", "--format", "json", "--output", output])
        #expect([0, 1, 3].contains(r.status), "check ran: \(r.stderr)")
        #expect(t.moduleLoads == 0)
        #expect(t.pwrites == 0, "no MSR or config-space write")
        for path in t.writableOpens {
            let allowed = path == "/dev/kvm" || path.hasPrefix(dir.path + "/.report.json.") || path == "/dev/null"
            #expect(allowed, "opened for writing: \(path)")
        }
        #expect(FileManager.default.fileExists(atPath: output))
    }
}
