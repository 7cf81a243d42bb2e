import ArgumentParser
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting

/// `virtcheck __cpl3-probe`: the CPL3 instruction probes alone, their evidence printed as JSON. They
/// install fault handlers for the whole process, which is why they run only in a process of their
/// own: here, or first in the guest-run child that `check` starts (`__guest-run --cpl3-probes`).
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
    /// JSONEncoder's). `Entry` calls it directly for the bare `__cpl3-probe`.
    static func execute() throws {
        GuestRunSupervisor.bindChildToParent()
        try Emit.write(ReportEncoder.serialized(Cpl3Prober.run()) + "\n", to: nil)
    }
}
