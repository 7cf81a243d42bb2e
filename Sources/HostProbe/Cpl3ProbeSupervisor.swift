import FoundationEssentials
import Glibc
import HostModel

/// The parent side of the CPL3 probes. They run first in the guest-run child
/// (`GuestRunSupervisor.runWithCpl3Probes`), which writes their raw results to a descriptor of
/// its own (`Cpl3Prober.packedObservation`); this reads them as evidence. A probe that kills or hangs the child becomes an error in the
/// evidence, never a crash here. `virtcheck __cpl3-probe` runs them alone and prints the JSON.
public enum Cpl3ProbeSupervisor {
    public static let subcommand = "__cpl3-probe"

    /// The evidence the child wrote before running the guests: once complete, it stands whatever
    /// became of the guests after it (a timeout, a crash); otherwise what became of the child.
    static func evidence(_ outcome: GuestRunSupervisor.ChildOutcome) -> Cpl3ProbeEvidence {
        if let evidence = Cpl3Prober.evidence(packed: Array(outcome.cpl3Output)) {
            return evidence
        }
        if outcome.killed != nil {
            return Cpl3ProbeEvidence(results: [], error: "CPL3 probe child killed (time limit or too much output)")
        }
        let stderr = String(decoding: outcome.stderr.suffix(300), as: UTF8.self).trimmed()
        return Cpl3ProbeEvidence(results: [], error: "CPL3 probe child \(outcome.statusText) without evidence"
                                     + (stderr.isEmpty ? "" : ": \(stderr)"))
    }
}
