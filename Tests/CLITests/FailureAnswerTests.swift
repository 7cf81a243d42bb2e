import Foundation
import Testing

/// A failed write, a signal or a bad number is an answer, not a crash: one line on stderr and the
/// documented exit code (docs/reliability.md, "Signals, write failures and own limits"), and no
/// temporary file left behind. Each case drives the built binary under the real condition: a
/// full device, a closed descriptor, a pipe without a reader, RLIMIT_FSIZE, a real signal.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct FailureAnswerTests {
    static let snapshot = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/hostile-snapshot.json")
    static let zen4 = VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/AMD-19h-Zen4-2xEpyc-9654.cpuid-r.txt")
    static let zen3 = VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/AMD-19h-Zen3-2xEpyc-7763.cpuid-r.txt")

    /// Every command that prints a result, each run offline so that no guest is needed, and the
    /// help and version text ArgumentParser prints (which went to a full stdout with exit 0).
    static let commands: [[String]] = [
        ["check", "--from", snapshot],
        ["capture", "--from", snapshot],
        ["diff", zen4, zen3],
        ["baseline", zen4, zen3],
        ["explain", "--list"],
        ["verify"],
        ["--help"],
        ["--version"],
        ["help", "check"],
        ["diff", "--help"],
    ]

    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A prefix that sets RLIMIT_FSIZE to 2 KiB with SIGXFSZ at its default action and unblocked
    /// — as a shell leaves it; a test runner's thread may have it ignored or blocked, which a
    /// shell cannot undo — and, given `stdout`, sends stdout to that file.
    static func fileSizeLimited(stdout: String? = nil) throws -> [String] {
        let python = try #require(Self.python, "needs python3")
        let redirect = stdout.map { "fd = os.open(\"\($0)\", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644); os.dup2(fd, 1); " } ?? ""
        return [python, "-c", "import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
                + "signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGXFSZ]); "
                + "resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048)); \(redirect)os.execv(sys.argv[1], sys.argv[1:])"]
    }

    /// The lines a run printed on stderr.
    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    /// stdout on a device that is always full (ENOSPC): the trap of FileHandle.write and verify's
    /// silent `print` are gone.
    @Test(arguments: commands)
    func fullStdoutIsOneLineAndExit2(_ command: [String]) throws {
        let r = try VirtCheckBinary.run(command, prefix: ["/bin/sh", "-c", "exec \"$0\" \"$@\" >/dev/full"])
        #expect(r.status == 2, "\(command[0]): \(r.stderr)")
        #expect(Self.lines(r.stderr) == ["virtcheck: error: stdout: write failed: No space left on device"], "\(command[0])")
    }

    /// `>&-`: descriptor 1 closed before virtcheck starts.
    @Test(arguments: commands)
    func closedStdoutIsOneLineAndExit2(_ command: [String]) throws {
        let r = try VirtCheckBinary.run(command, prefix: ["/bin/sh", "-c", "exec \"$0\" \"$@\" >&-"])
        #expect(r.status == 2, "\(command[0]): \(r.stderr)")
        #expect(Self.lines(r.stderr) == ["virtcheck: error: stdout: cannot write: stdout is closed"], "\(command[0])")
    }

    /// stdout is a pipe whose reader has gone (`| head` after its first line): quiet, 141.
    @Test(arguments: commands)
    func goneReaderEndsQuietlyWith141(_ command: [String]) throws {
        let python = try #require(Self.python, "needs python3")
        // The read end is closed before virtcheck starts, so its write meets EPIPE for certain.
        let closedPipe = "import os, subprocess, sys\nr, w = os.pipe()\nos.close(r)\nc = subprocess.call(sys.argv[1:], stdout=w)\nsys.exit(c if c >= 0 else 200 - c)"
        let r = try VirtCheckBinary.run(command, prefix: [python, "-c", closedPipe])
        #expect(r.status == 141, "\(command[0]): 200+signal means it was killed: \(r.stderr)")
        #expect(r.stderr.isEmpty)
    }

    /// RLIMIT_FSIZE with SIGXFSZ left at its default: the signal used to kill virtcheck and leave
    /// its hidden temporary file; now write(2) fails with EFBIG and the file is removed.
    @Test func fileSizeLimitOnOutputIsOneLineAndNoLeftover() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-xfsz-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let target = dir + "/report.json"
        try "OLD REPORT\n".write(toFile: target, atomically: false, encoding: .utf8)
        let r = try VirtCheckBinary.run(["check", "--from", Self.snapshot, "--format", "json", "--output", target],
                                        prefix: try Self.fileSizeLimited())
        #expect(r.status == 2, "\(r.stderr)")
        #expect(Self.lines(r.stderr).count == 1 && r.stderr.contains("File too large"), "\(r.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "OLD REPORT\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"], "temporary file left behind")
    }

    /// The same limit on a shell redirection of stdout.
    @Test func fileSizeLimitOnStdoutIsOneLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-xfsz-stdout-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try VirtCheckBinary.run(["check", "--from", Self.snapshot, "--format", "json"],
                                        prefix: try Self.fileSizeLimited(stdout: file))
        #expect(r.status == 2, "\(r.stderr)")
        #expect(Self.lines(r.stderr) == ["virtcheck: error: stdout: write failed: File too large"])
    }

    /// A number past what the flag's unit can hold used to trap (`timeLimitMs * 1_000_000`).
    @Test(arguments: ["18446744073709551615", "18446744073709", "0"])
    func outOfRangeTimeLimitIsAUsageError(_ value: String) throws {
        let r = try VirtCheckBinary.run(["__guest-run", "--time-limit-ms", value, "--spin", "real"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--time-limit-ms must be between 1 and 3600000"))
    }

    /// SIGTERM, SIGINT or SIGHUP while `--output` is being made durable: strace holds virtcheck
    /// at the entry of fsync(2) (or rename(2)) of the temporary file, the signal is sent then,
    /// and the handler must remove the file, print one line and exit 128 + signo. The old
    /// report stays (fsync), or the new one is whole (the rename had already been asked for).
    /// `inherited` is the signal mask virtcheck starts with: unblocked as from a shell, or
    /// blocked as from this test runner's thread (a blocked SIGTERM would wait for the exit).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") && python != nil, "needs strace and python3"),
          arguments: [("fsync", SIGTERM, "unblocked"), ("fsync", SIGTERM, "blocked"), ("fsync", SIGINT, "unblocked"),
                      ("fsync", SIGHUP, "unblocked"), ("rename", SIGTERM, "unblocked")])
    func signalDuringTheFinalWriteRemovesTheTemporaryFile(_ syscall: String, _ signo: Int32, _ inherited: String) throws {
        let binary = try #require(VirtCheckBinary.url)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-sig-\(syscall)-\(signo)-\(inherited)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let target = dir + "/report.json"
        try "OLD REPORT\n".write(toFile: target, atomically: false, encoding: .utf8)

        let strace = Process()
        let signals = "[signal.SIGTERM, signal.SIGINT, signal.SIGHUP]"
        let mask = inherited == "blocked" ? "SIG_BLOCK" : "SIG_UNBLOCK"
        strace.executableURL = URL(fileURLWithPath: try #require(Self.python))
        strace.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.\(mask), \(signals)); os.execv(sys.argv[1], sys.argv[1:])",
                            "/usr/bin/strace", "-o", "/dev/null", "-e", "trace=\(syscall)", "-e", "inject=\(syscall):delay_enter=2000000",
                            binary.path, "check", "--from", Self.snapshot, "--format", "json", "--output", target]
        let err = Pipe()
        strace.standardError = err
        strace.standardOutput = FileHandle.nullDevice
        try strace.run()
        defer { if strace.isRunning { kill(strace.processIdentifier, SIGKILL) } }

        // virtcheck is strace's child; it is inside the delayed call once its temporary file exists.
        var tracee: pid_t?
        for _ in 0..<600 where tracee == nil {
            let hidden = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasPrefix(".report.json.") } ?? []
            let children = (try? String(contentsOfFile: "/proc/\(strace.processIdentifier)/task/\(strace.processIdentifier)/children", encoding: .utf8)) ?? ""
            if !hidden.isEmpty, let pid = children.split(separator: " ").first.flatMap({ pid_t($0) }) { tracee = pid } else { usleep(50_000) }
        }
        let pid = try #require(tracee, "virtcheck never reached \(syscall)")
        usleep(200_000)
        kill(pid, signo)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        strace.waitUntilExit()

        #expect(strace.terminationReason == .exit && strace.terminationStatus == 128 + signo, "\(strace.terminationReason) \(strace.terminationStatus): \(stderr)")
        #expect(Self.lines(stderr).count == 1 && stderr.hasPrefix("virtcheck: stopped by SIG"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"], "temporary file left behind")
        let content = try String(contentsOfFile: target, encoding: .utf8)
        if syscall == "fsync" {
            #expect(content == "OLD REPORT\n")
        } else {
            #expect((try? JSONSerialization.jsonObject(with: Data(content.utf8))) != nil, "the renamed report is whole")
        }
    }
}
