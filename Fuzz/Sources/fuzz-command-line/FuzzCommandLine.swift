import ArgumentParser
import Foundation
import FuzzSupport
@testable import VirtCheckCLI

/// libFuzzer entry: one input is a whole command line, arguments separated by NUL or newline,
/// parsed and run in process as `virtcheck` would (RootCommand). Arguments are hostile: odd
/// numbers, paths to devices, FIFOs and loops, control characters, unknown options. Three kinds
/// of command are not run, because they are not input handling but actions on this machine: a
/// `check`/`capture` of the live host (no `--from`/`--root`: it would probe and start guests),
/// the hidden child commands and `verify --against-kvm`; and every `--output` is redirected into
/// a scratch directory, so the fuzzer never writes over the machine's files (it runs as root).
/// Errors and exit codes are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    CommandLineScratch.shared.silence()
    let arguments = CommandLineScratch.shared.arguments(FuzzInput.text(data, size))
    let command: any ParsableCommand
    do {
        command = try RootCommand.parseAsRoot(arguments)
    } catch {
        return 0
    }
    guard CommandLineScratch.runnable(command) else { return 0 }
    var runnable = command
    do { try runnable.run() } catch {}
    return 0
}

/// Where `--output` goes, and the descriptors the commands print to.
final class CommandLineScratch: @unchecked Sendable {
    static let shared = CommandLineScratch()
    static let maxArguments = 32
    static let maxArgumentLength = 4096

    let output: String
    private var silenced = false

    init() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fuzz-cli-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        output = dir + "/out"
    }

    /// Reports go to /dev/null and stdin reads end at once (`--paths-from -`); libFuzzer keeps
    /// its own stderr (run with -close_fd_mask=2, see Corpus/fuzz-command-line.options).
    func silence() {
        guard !silenced else { return }
        silenced = true
        let null = open("/dev/null", O_RDWR)
        dup2(null, STDIN_FILENO)
        dup2(null, STDOUT_FILENO)
        close(null)
    }

    func arguments(_ text: String) -> [String] {
        var args = text.split(omittingEmptySubsequences: true) { $0 == "\0" || $0 == "\n" }
            .prefix(Self.maxArguments).map { String($0.prefix(Self.maxArgumentLength)) }
        for i in args.indices {
            if args[i].hasPrefix("--output=") { args[i] = "--output=" + output }
            if args[i] == "--output", i + 1 < args.count { args[i + 1] = output }
        }
        return args
    }

    static func runnable(_ command: any ParsableCommand) -> Bool {
        switch command {
        case let check as CheckCommand: check.input.from.isEmpty == false || check.input.root != nil
        case let capture as CaptureCommand: capture.input.from.isEmpty == false || capture.input.root != nil
        case let verify as VerifyCommand: !verify.againstKVM
        case is GuestRunCommand, is Cpl3ProbeCommand: false
        default: true
        }
    }
}

@_cdecl("fuzz_command_line_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
