import ArgumentParser
import HostModel

/// `virtcheck`: can this x86 Linux host run virtual machines, which kinds, and how well.
public struct RootCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "virtcheck",
        abstract: "Tells, with evidence, whether this x86 Linux host can run virtual machines, which kinds, and how well.",
        version: ToolInfo.currentVersion,
        subcommands: [CheckCommand.self, CaptureCommand.self, DiffCommand.self, BaselineCommand.self, ExplainCommand.self, VerifyCommand.self, GuestRunCommand.self, Cpl3ProbeCommand.self],
        defaultSubcommand: CheckCommand.self
    )

    public init() {}
}
