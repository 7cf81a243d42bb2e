import ArgumentParser
import Foundation
import HostModel
import HostProbe
import Reporting

/// `virtcheck __cpl3-probe`: the child side of the CPL3 instruction probes. It installs fault
/// handlers for the whole process, which is why it runs only here, started by
/// `Cpl3ProbeSupervisor`, and prints the evidence as JSON.
struct Cpl3ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Cpl3ProbeSupervisor.subcommand,
        abstract: "Internal: executes the Popek-Goldberg instructions at CPL3 and prints the evidence as JSON.",
        shouldDisplay: false
    )

    func run() throws {
        try Self.execute()
    }

    /// Probes and prints the evidence (ReportEncoder's JSON, which the parent reads as it read
    /// JSONEncoder's). `Entry` calls it directly for the bare `__cpl3-probe` the supervisor starts.
    static func execute() throws {
        GuestRunSupervisor.bindChildToParent()
        try Emit.write(ReportEncoder.encode(Cpl3Prober.run()).serialized() + "\n", to: nil)
    }
}
