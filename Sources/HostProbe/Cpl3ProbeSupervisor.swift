import Foundation
import HostModel

/// The parent side of the CPL3 probes: `executable __cpl3-probe` started with posix_spawn and
/// a timeout (the same child machinery as the guest run), its JSON read back as evidence. A
/// probe that kills or hangs the child becomes an error in the evidence, never a crash here.
public struct Cpl3ProbeSupervisor: Sendable {
    public static let subcommand = "__cpl3-probe"

    public var executable: String
    public var timeoutNanoseconds: UInt64

    public init(executable: String = "/proc/self/exe", timeoutNanoseconds: UInt64 = 5_000_000_000) {
        self.executable = executable
        self.timeoutNanoseconds = timeoutNanoseconds
    }

    public func run() -> Cpl3ProbeEvidence {
        let child = GuestRunSupervisor(executable: executable, arguments: [Cpl3ProbeSupervisor.subcommand],
                                       timeoutNanoseconds: timeoutNanoseconds)
        let outcome: GuestRunSupervisor.ChildOutcome
        do throws(KVMError) { outcome = try child.spawnAndWait() } catch {
            return Cpl3ProbeEvidence(results: [], error: error.description)
        }
        if outcome.killed != nil {
            return Cpl3ProbeEvidence(results: [], error: "CPL3 probe child killed (time limit or too much output)")
        }
        if outcome.status == 0, let evidence = try? SnapshotCoding.decode(Cpl3ProbeEvidence.self, from: outcome.stdout) {
            return evidence
        }
        let stderr = String(decoding: outcome.stderr.suffix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Cpl3ProbeEvidence(results: [], error: "CPL3 probe child \(outcome.statusText) without evidence"
                                     + (stderr.isEmpty ? "" : ": \(stderr)"))
    }
}
