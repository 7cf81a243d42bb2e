import ArgumentParser
import CShims
import Glibc
import HostProbe

/// The process entry point. The hidden child that `check` starts on every run (`__guest-run
/// --cpl3-probes`) and `__cpl3-probe` are parsed as themselves: going through `RootCommand` built the argument sets
/// of the whole command tree first, about two thirds of each child's instructions (callgrind,
/// issue 16). The exact forms their supervisors start skip ArgumentParser altogether (its parse
/// was still half of each child's instructions); everything else, including their errors and
/// help, behaves as before. So do the common command lines of `check` and `capture`
/// (`CommonCommandLine`): ArgumentParser reads all others.
public enum Entry {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        _ = vc_populate_bss()
        let rest = Array(arguments.dropFirst())
        switch arguments.first {
        case GuestRunSupervisor.subcommand?:
            guard let form = GuestRunCommand.supervisorForm(rest) else { return GuestRunCommand.main(rest) }
            direct(GuestRunCommand.self) {
                try GuestRunCommand.execute(timeLimitMs: form.timeLimitMs, spin: nil, programs: [], cpl3Probes: form.cpl3Probes,
                                            supportedCpuid: form.supportedCpuid)
            }
        case Cpl3ProbeSupervisor.subcommand?:
            guard rest.isEmpty else { return Cpl3ProbeCommand.main(rest) }
            direct(Cpl3ProbeCommand.self) { try Cpl3ProbeCommand.execute() }
        default:
            switch CommonCommandLine.parse(arguments) {
            case .check(let request)?:
                direct(RootCommand.self) {
                    let outcome = try request.run()
                    withExtendedLifetime(outcome) { exit(outcome.exitCode) }
                }
            case .capture(let request)?: direct(RootCommand.self) { try request.run() }
            case nil: runRoot(arguments)
            }
        }
    }

    /// `RootCommand.main`, except that what ArgumentParser prints on success (help, `--version`)
    /// goes through `Emit.write`: its `print` lost the text on a full disk or a closed stdout and
    /// exited 0; now that is one line on stderr and exit 2 (141 for a reader gone), as for every
    /// other result.
    static func runRoot(_ arguments: [String]) {
        do {
            var command = try RootCommand.parseAsRoot(arguments)
            try command.run()
        } catch {
            guard RootCommand.exitCode(for: error) == .success else { RootCommand.exit(withError: error) }
            let text = RootCommand.fullMessage(for: error)
            do {
                if !text.isEmpty { try Emit.write(text + "\n", to: nil) }
            } catch {
                RootCommand.exit(withError: error)
            }
            RootCommand.exit()
        }
    }

    /// Runs a command's work as `main` would after parsing: an error ends the process as
    /// ArgumentParser ends it (message and exit code). An `ExitCode` (a reader gone, a refused
    /// input) ends it at once: ArgumentParser prints nothing for one, but first builds the usage
    /// text of the command (reflection over its options) to attach to messages it would print.
    /// A `check` that ran exits itself, keeping what it made (`CheckRequest.Outcome`).
    private static func direct(_ command: any ParsableCommand.Type, _ work: () throws -> Void) {
        do {
            try work()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            command.exit(withError: error)
        }
    }
}
