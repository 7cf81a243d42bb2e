import ArgumentParser
import Foundation
import HostModel
import HostProbe
import Reporting

/// `virtcheck __guest-run`: the child side of the proof by execution. The parent
/// (`GuestRunSupervisor`) starts this with posix_spawn, reads the GuestRunEvidence JSON it prints,
/// and kills it if it overstays; running the guests in a child keeps a stuck KVM_RUN, a crash in
/// the backend or a leaked VM from ever reaching the main process.
struct GuestRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GuestRunSupervisor.subcommand,
        abstract: "Internal: runs the KVM test guests in this process and prints the evidence as JSON.",
        shouldDisplay: false
    )

    /// One hour: far beyond any guest run, and small enough that the limit in nanoseconds cannot overflow.
    static let maxTimeLimitMs: UInt64 = 3_600_000

    @Option(name: .customLong("time-limit-ms"), help: "Stop the guests (KVM_RUN returns EINTR) after this many milliseconds (1 to 3600000).")
    var timeLimitMs: UInt64 = GuestRunner.defaultTimeLimitNanoseconds / 1_000_000

    @Option(name: .customLong("spin"), help: "Run only a guest that never exits, in this mode (real or long64), to test the time limits.")
    var spin: GuestProgram.Mode?

    @Option(name: .customLong("program"), help: "Run this program instead (NAME:MODE:HEX, repeatable) and print its final state and exits.")
    var programs: [String] = []

    func validate() throws {
        guard (1...Self.maxTimeLimitMs).contains(timeLimitMs) else {
            throw ValidationError("--time-limit-ms must be between 1 and \(Self.maxTimeLimitMs), got \(timeLimitMs)")
        }
    }

    func run() throws {
        try Self.execute(timeLimitMs: timeLimitMs, spin: spin, programs: programs)
    }

    /// The one form `GuestRunSupervisor` starts on every check (`--time-limit-ms N`, N in range),
    /// read without ArgumentParser, whose parse (its completion-script check above all) was half of
    /// this child's instructions (callgrind, issue 16); nil for any other form, which goes through
    /// `main` (help, errors and the test options as before).
    static func supervisorTimeLimit(_ arguments: [String]) -> UInt64? {
        guard arguments.count == 2, arguments[0] == "--time-limit-ms", let ms = UInt64(arguments[1]),
              (1...maxTimeLimitMs).contains(ms) else { return nil }
        return ms
    }

    /// Runs the guests and prints their evidence. The JSON is ReportEncoder's (explicit nulls),
    /// which the parent reads (`SnapshotCoding.decode`) as it read JSONEncoder's.
    static func execute(timeLimitMs: UInt64, spin: GuestProgram.Mode?, programs: [String]) throws {
        GuestRunSupervisor.bindChildToParent()
        if !programs.isEmpty {
            let parsed = try programs.map { spec in
                do {
                    return try GuestProgram(spec: spec)
                } catch {
                    throw ValidationError("\(error)")
                }
            }
            let runner = GuestRunner(programs: parsed, measureLatency: false, timeLimitNanoseconds: timeLimitMs * 1_000_000)
            let outcomes: [GuestProgramOutcome]
            do throws(KVMError) { outcomes = try runner.runPrograms() } catch {
                throw CLIError.input(error.isOwnLimit ? error.ownLimitDescription : error.description).exit()
            }
            try Emit.write(ReportEncoder.encode(outcomes).serialized() + "\n", to: nil)
            return
        }
        let runner = GuestRunner(programs: spin.map { [.spin($0)] } ?? [.realMode, .long64],
                                 measureLatency: spin == nil,
                                 timeLimitNanoseconds: timeLimitMs * 1_000_000)
        try Emit.write(ReportEncoder.encode(runner.run()).serialized() + "\n", to: nil)
    }
}

extension GuestProgram.Mode: ExpressibleByArgument {}
