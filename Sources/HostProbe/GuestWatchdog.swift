import CShims
import FoundationEssentials
import Glibc

/// The in-process half of the guest run's time limit: a POSIX timer that sends SIGALRM to the
/// thread running KVM_RUN (and again every 10 ms after the deadline), with a handler installed
/// without SA_RESTART, so a guest that never exits makes KVM_RUN return EINTR instead of hanging.
/// The supervisor's SIGKILL of the child process is the other half, for anything this misses.
/// Threads of a dispatch or Swift concurrency pool start with signals blocked, so the watchdog
/// unblocks SIGALRM on its thread while armed and restores the thread's mask afterwards.
public final class GuestWatchdog {
    public let deadline: UInt64
    private var timer: timer_t?
    private var savedMask = sigset_t()

    /// Arms the timer for the calling thread; every KVM_RUN must then happen on this thread.
    public init(limitNanoseconds: UInt64) throws(KVMError) {
        deadline = GuestMachine.monotonicNanoseconds() &+ limitNanoseconds
        var err = vc_install_interrupting_handler(SIGALRM)
        guard err == 0 else { throw KVMError(step: "sigaction(SIGALRM)", errno: err) }
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        err = pthread_sigmask(SIG_UNBLOCK, &alarm, &savedMask)
        guard err == 0 else { throw KVMError(step: "pthread_sigmask", errno: err) }
        var created: timer_t?
        err = vc_thread_timer_start(SIGALRM, max(limitNanoseconds, 1), 10_000_000, &created)
        guard err == 0 else {
            pthread_sigmask(SIG_SETMASK, &savedMask, nil)
            throw KVMError(step: "timer_create", errno: err)
        }
        timer = created
    }

    deinit { disarm() }

    /// True once the deadline has passed (checked before each KVM_RUN and on every EINTR).
    public var expired: Bool { GuestMachine.monotonicNanoseconds() >= deadline }

    /// Stops the timer and restores the thread's signal mask. SIGALRM is blocked first and any
    /// alarm already queued for the thread is consumed, so no stray signal interrupts whatever
    /// this pool thread runs next (a pipe read elsewhere would fail with EINTR).
    public func disarm() {
        guard let timer else { return }
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_BLOCK, &alarm, nil)
        _ = vc_thread_timer_stop(timer)
        var none = timespec(tv_sec: 0, tv_nsec: 0)
        while sigtimedwait(&alarm, nil, &none) == SIGALRM {}
        pthread_sigmask(SIG_SETMASK, &savedMask, nil)
        self.timer = nil
    }
}
