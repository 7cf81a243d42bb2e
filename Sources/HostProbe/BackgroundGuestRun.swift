import Foundation
import HostModel

/// The guest run, started first and collected last: it is a separate process, so it runs on
/// the other core while this one reads CPUID, sysfs and PCI — the whole check then takes about
/// as long as the slower of the two, not their sum.
public final class BackgroundGuestRun: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before `done` is signalled; read only after waiting on it.
    private var evidence: GuestRunEvidence?

    public init(_ supervisor: GuestRunSupervisor) {
        let thread = Thread { [self] in
            evidence = supervisor.run()
            done.signal()
        }
        thread.start()
    }

    /// Blocks until the child has finished (the supervisor's own timeout bounds this).
    public func wait() -> GuestRunEvidence? {
        done.wait()
        return evidence
    }
}
