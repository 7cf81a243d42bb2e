import FoundationEssentials
import Glibc

/// Reaps a child on a detached thread of its own, for a child whose output is complete but whose
/// exit is not: the guest-run child's kernel tears its VM down as it exits (0.7 to 1.4 ms on this
/// project's machine, after its evidence was written), and `check` need not wait for that.
enum ChildReaper {
    /// True when a thread now waits for `pid`; false when none could be started (the caller then
    /// waits itself, as before).
    static func reapLater(_ pid: pid_t) -> Bool {
        guard pid > 0, let argument = UnsafeMutableRawPointer(bitPattern: Int(pid)) else { return false }
        var thread = pthread_t()
        let err = pthread_create(&thread, nil, { argument in
            let pid = pid_t(truncatingIfNeeded: Int(bitPattern: argument))
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return nil
        }, argument)
        guard err == 0 else { return false }
        pthread_detach(thread)
        return true
    }
}
