import CShims
import Foundation

/// The in-process half of the guest run's time limit: a POSIX timer that sends SIGALRM to the
/// thread running KVM_RUN (and again every 10 ms after the deadline), with a handler installed
/// without SA_RESTART, so a guest that never exits makes KVM_RUN return EINTR instead of hanging.
/// The supervisor's SIGKILL of the child process is the other half, for anything this misses.
public final class GuestWatchdog {
    public let deadline: UInt64
    private var timer: timer_t?

    /// Arms the timer for the calling thread; every KVM_RUN must then happen on this thread.
    public init(limitNanoseconds: UInt64) throws(KVMError) {
        deadline = GuestMachine.monotonicNanoseconds() &+ limitNanoseconds
        var err = vc_install_interrupting_handler(SIGALRM)
        guard err == 0 else { throw KVMError(step: "sigaction(SIGALRM)", errno: err) }
        var created: timer_t?
        err = vc_thread_timer_start(SIGALRM, max(limitNanoseconds, 1), 10_000_000, &created)
        guard err == 0 else { throw KVMError(step: "timer_create", errno: err) }
        timer = created
    }

    deinit { disarm() }

    /// True once the deadline has passed (checked before each KVM_RUN and on every EINTR).
    public var expired: Bool { GuestMachine.monotonicNanoseconds() >= deadline }

    /// Stops the timer; signals already queued still land on the no-op handler.
    public func disarm() {
        if let timer { _ = vc_thread_timer_stop(timer) }
        timer = nil
    }
}
