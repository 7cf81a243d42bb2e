import HostProbe

/// The process entry point. The hidden children that `check` starts on every run (`__guest-run`,
/// `__cpl3-probe`) are parsed as themselves: going through `RootCommand` built the argument sets
/// of the whole command tree first, about two thirds of each child's instructions (callgrind,
/// issue 16). Everything else, including their errors and help, behaves as before.
public enum Entry {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        switch arguments.first {
        case GuestRunSupervisor.subcommand?: GuestRunCommand.main(Array(arguments.dropFirst()))
        case Cpl3ProbeSupervisor.subcommand?: Cpl3ProbeCommand.main(Array(arguments.dropFirst()))
        default: runRoot(arguments)
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
}
