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
        default: RootCommand.main(arguments)
        }
    }
}
