import Foundation
import HostModel

/// The guest run, started first and collected last: it is a separate process, so it runs on
/// the other core while this one reads CPUID, sysfs and PCI — the whole check then takes about
/// as long as the slower of the two, not their sum.
///
/// The worker is a pthread whose creation is checked (Foundation's `Thread.start` fails
/// silently, and a wait for a thread that never ran hung `check` under `ulimit -u 1`): when no
/// thread can be started, `wait` runs the child on the caller's thread instead, and the wait for
/// a started one has a deadline.
public final class BackgroundGuestRun: @unchecked Sendable {
    private let supervisor: GuestRunSupervisor
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before `done` is signalled; read only after waiting on it.
    private var evidence: GuestRunEvidence?
    /// False when pthread_create failed (EAGAIN under `ulimit -u`, ENOMEM for the stack).
    private var started = false

    /// How long `wait` waits beyond the supervisor's own timeout, which normally ends the run.
    static let waitMarginNanoseconds: UInt64 = 5_000_000_000

    public init(_ supervisor: GuestRunSupervisor) {
        self.supervisor = supervisor
        let context = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let err = pthread_create(&thread, nil, { argument in
            let run = Unmanaged<BackgroundGuestRun>.fromOpaque(argument!).takeRetainedValue()
            run.evidence = run.supervisor.run()
            run.done.signal()
            return nil
        }, context.toOpaque())
        if err == 0 {
            pthread_detach(thread)
            started = true
        } else {
            context.release()
        }
    }

    /// The evidence: bounded by the supervisor's timeout plus a margin; a worker that overstays
    /// that is virtcheck's own failure, never a verdict about KVM.
    public func wait() -> GuestRunEvidence {
        guard started else { return supervisor.run() }
        let limit = supervisor.timeoutNanoseconds.addingReportingOverflow(BackgroundGuestRun.waitMarginNanoseconds)
        let timeout = DispatchTime.now() + .nanoseconds(Int(clamping: limit.overflow ? UInt64.max : limit.partialValue))
        guard done.wait(timeout: timeout) == .success, let evidence else {
            return .ownFailure("the guest run's worker thread did not finish within its time limit")
        }
        return evidence
    }
}
