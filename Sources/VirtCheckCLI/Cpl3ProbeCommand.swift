import ArgumentParser
import Foundation
import HostModel
import HostProbe

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
        GuestRunSupervisor.bindChildToParent()
        var json = try SnapshotCoding.encoder().encode(Cpl3Prober.run())
        json.append(0x0A)
        try Emit.write(String(decoding: json, as: UTF8.self), to: nil)
    }
}
