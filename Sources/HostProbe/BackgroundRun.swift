import Foundation
import HostModel

/// A child process (the guest run, the CPL3 probes) started first and collected last: it is a
/// separate process, so it runs on another core while this one reads CPUID, sysfs and PCI — the
/// whole check then takes about as long as the slowest of them, not their sum.
public final class BackgroundRun<Evidence: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before `done` is signalled; read only after waiting on it.
    private var evidence: Evidence?

    /// `work` runs on its own thread; it must be bounded (the supervisors' timeouts bound theirs).
    public init(_ work: @escaping @Sendable () -> Evidence) {
        let thread = Thread { [self] in
            evidence = work()
            done.signal()
        }
        thread.start()
    }

    /// Blocks until the work has finished.
    public func wait() -> Evidence? {
        done.wait()
        return evidence
    }
}

/// The guest run in the background (`__guest-run` in a child).
public typealias BackgroundGuestRun = BackgroundRun<GuestRunEvidence>

extension BackgroundRun where Evidence == GuestRunEvidence {
    public convenience init(_ supervisor: GuestRunSupervisor) {
        self.init { supervisor.run() }
    }
}
