import Glibc

/// The only place virtcheck changes the system, and only behind `--load-msr-driver`:
/// `modprobe msr`, so /dev/cpu/N/msr exists for reading the VMX capability MSRs.
enum ModuleLoader {
    /// modprobe of a module that ships with the kernel takes milliseconds; one that hangs (a
    /// stuck udev, a module signing prompt) is killed after this, like every wait in virtcheck.
    static let deadlineMilliseconds = 10_000

    static func loadMSRDriver() {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/sbin/modprobe"), strdup("msr"), nil]
        defer { for case let argument? in argv { free(argument) } }
        var pid: pid_t = 0
        // Not fatal when it cannot start or fails: the MSR reads then record `absent`, which the
        // report explains.
        guard posix_spawn(&pid, "/sbin/modprobe", &actions, nil, argv, environ) == 0 else { return }
        var status: Int32 = 0
        for _ in 0..<(deadlineMilliseconds / 10) {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }
}
