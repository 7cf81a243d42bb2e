import Foundation
import Testing

/// `--output` is written to a temporary file and renamed: a write that fails partway (file size
/// limit, full disk) leaves the previous report intact and no temporary file behind; a symlink is
/// written through, and targets that are not regular files (devices, FIFOs) are refused, never
/// replaced (a FIFO nobody reads blocked forever).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct AtomicOutputTests {
    /// A report well over a few KiB, so that a small limit cuts it partway.
    static let input = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/hostile-snapshot.json")

    static func directory(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-out-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func leftovers(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
    }

    /// RLIMIT_FSIZE (SIGXFSZ ignored) makes write(2) fail with EFBIG after the first KiB.
    @Test(arguments: ["json", "text"])
    func writeCutShortByFileSizeLimitKeepsOldReport(_ format: String) throws {
        let dir = try Self.directory("fsize-\(format)")
        let target = dir + "/report"
        try "OLD REPORT\n".write(toFile: target, atomically: false, encoding: .utf8)
        let limited = ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\""]
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", format, "--output", target], prefix: limited)
        #expect(r.status == 2, "the failed write is reported: \(r.stderr)")
        #expect(r.stderr.contains("write failed") || r.stderr.contains("cannot flush"))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "OLD REPORT\n")
        #expect(try Self.leftovers(dir).isEmpty, "temporary file left behind")
    }

    /// ENOSPC on a real filesystem: an 8 KiB tmpfs in a private mount namespace (root only).
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root and unshare(1) to mount a tmpfs"))
    func fullDiskKeepsOldReport() throws {
        let dir = try Self.directory("enospc")
        // Inside the namespace: mount, plant the old report, run, then print what is left.
        let script = """
            mount -t tmpfs -o size=8k virtcheck-test "$1" || { echo NO-MOUNT; exit 0; }
            printf 'OLD REPORT' > "$1/report.json"
            "$0" check --from "$2" --format json --output "$1/report.json"
            echo "status=$?"; echo "content=$(cat "$1/report.json")"; echo "files=$(ls -A "$1" | tr '\\n' ' ')"
            """
        let r = try VirtCheckBinary.run([dir, Self.input], prefix: ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script])
        try #require(!r.stdout.contains("NO-MOUNT") && r.stdout.contains("status="), "mount namespaces unavailable here: \(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("status=2"))
        #expect(r.stderr.contains("No space left on device"))
        #expect(r.stdout.contains("content=OLD REPORT\n"))
        #expect(r.stdout.contains("files=report.json \n"), "temporary file left behind: \(r.stdout)")
    }

    @Test func successfulWriteReplacesTheReportWhole() throws {
        let dir = try Self.directory("ok")
        let target = dir + "/report.json"
        try "OLD".write(toFile: target, atomically: false, encoding: .utf8)
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", "json", "--output", target])
        #expect(r.stdout.isEmpty)
        let written = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect((try? JSONSerialization.jsonObject(with: written)) != nil, "a whole JSON report")
        #expect(try Self.leftovers(dir).isEmpty)
        var st = stat()
        #expect(stat(target, &st) == 0 && st.st_mode & 0o777 == 0o644)
    }

    /// Renaming over a device would replace the node itself (as root, /dev/null with a file).
    @Test(.enabled(if: geteuid() == 0, "needs root to mknod"))
    func deviceTargetIsRefusedNotReplaced() throws {
        let dir = try Self.directory("device")
        let node = dir + "/null"
        // makedev(1, 3), /dev/null's numbers (the macro is not imported into Swift).
        try #require(mknod(node, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0, "mknod failed")
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", "json", "--output", node])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("not a regular file (a device)"))
        var st = stat()
        #expect(stat(node, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR, "the device node is still a device")
        #expect(try Self.leftovers(dir).isEmpty)
    }

    /// Refused at once even with a reader waiting: the FIFO stays a FIFO and gets nothing.
    @Test func fifoTargetIsRefused() throws {
        let dir = try Self.directory("fifo")
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", "json", "--output", fifo], timeout: 60)
        #expect(!r.timedOut)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("not a regular file (a FIFO)"))
        var st = stat()
        #expect(stat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(try Self.leftovers(dir).isEmpty)
    }

    @Test func symlinkTargetKeepsTheLink() throws {
        let dir = try Self.directory("link")
        try "OLD".write(toFile: dir + "/real.json", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/latest.json", withDestinationPath: "real.json")
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", "json", "--output", dir + "/latest.json"])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/latest.json") == "real.json")
        let written = try Data(contentsOf: URL(fileURLWithPath: dir + "/real.json"))
        #expect((try? JSONSerialization.jsonObject(with: written)) != nil)
    }
}
