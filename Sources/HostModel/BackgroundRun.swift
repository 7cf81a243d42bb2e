import Dispatch
import FoundationEssentials
import Glibc

/// How long `BackgroundRun.wait` waits beyond the work's own timeout, which normally ends it.
let backgroundWaitMarginNanoseconds: UInt64 = 5_000_000_000

/// Work started on a thread of its own and collected later, so it runs on another core beside
/// what the caller does meanwhile: the guest-run child's supervision (a separate process, started
/// first and collected last), CPUID on each CPU, the assessment's tables, half of a JSON report —
/// a check then takes about as long as the slowest of them, not their sum.
///
/// The worker is a pthread whose creation is checked (Foundation's `Thread.start` fails
/// silently, and a wait for a thread that never ran hung `check` under `ulimit -u 1`): when no
/// thread can be started, `wait` runs the work on the caller's thread instead, and the wait for
/// a started one has a deadline, past which the work's `overstayed` evidence stands in for it.
public final class BackgroundRun<Evidence: Sendable>: @unchecked Sendable {
    private let work: @Sendable () -> Evidence
    private let overstayed: @Sendable () -> Evidence
    private let deadlineNanoseconds: UInt64
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before `done` is signalled; read only after waiting on it.
    private var evidence: Evidence?
    /// False when pthread_create failed (EAGAIN under `ulimit -u`, ENOMEM for the stack).
    private var started = false
    /// What the first `wait` returned: the evidence is collected once and read by more than one
    /// probe (the guest run by KVMProbe, the CPL3 probes by LiveProbe).
    private var collected: Evidence?

    /// `work` must be bounded by `timeoutNanoseconds` (the supervisors' timeouts bound theirs).
    public init(timeoutNanoseconds: UInt64, overstayed: @escaping @Sendable () -> Evidence,
                _ work: @escaping @Sendable () -> Evidence) {
        self.work = work
        self.overstayed = overstayed
        let limit = timeoutNanoseconds.addingReportingOverflow(backgroundWaitMarginNanoseconds)
        deadlineNanoseconds = limit.overflow ? UInt64.max : limit.partialValue
        // pthread_create takes a C function, which cannot capture this generic class: the body
        // travels in a non-generic box.
        let job = Unmanaged.passRetained(BackgroundJob { [self] in
            evidence = work()
            done.signal()
        })
        var thread = pthread_t()
        let err = pthread_create(&thread, nil, { argument in
            Unmanaged<BackgroundJob>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, job.toOpaque())
        if err == 0 {
            pthread_detach(thread)
            started = true
        } else {
            job.release()
        }
    }

    /// The evidence: bounded by the work's timeout plus a margin; a worker that overstays that
    /// is virtcheck's own failure, never a verdict about the host.
    public func wait() -> Evidence {
        if let collected { return collected }
        let result: Evidence
        if !started {
            result = work()
        } else {
            let timeout = DispatchTime.now() + .nanoseconds(Int(clamping: deadlineNanoseconds))
            result = done.wait(timeout: timeout) == .success ? evidence ?? overstayed() : overstayed()
        }
        collected = result
        return result
    }
}

/// The body of a `BackgroundRun`'s thread, in a non-generic box for pthread_create.
private final class BackgroundJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
