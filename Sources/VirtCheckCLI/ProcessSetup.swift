import CShims
import FoundationEssentials
import Glibc

/// What `main` does before parsing arguments, so that no signal, closed descriptor or failed
/// write ends virtcheck with a trap or a trace (docs/reliability.md, "Signals, write failures
/// and own limits"):
/// - a closed stdin, stdout or stderr is replaced by /dev/null opened read-only for 0 and 1 (a
///   report write then fails with EBADF and is reported; no file virtcheck opens later can land
///   on descriptor 1 and receive the report) and write-only for 2;
/// - SIGPIPE and SIGXFSZ are ignored, so a gone reader or a file-size limit (`ulimit -f`) is an
///   EPIPE or EFBIG from write(2) that the writer reports and cleans up after;
/// - SIGTERM, SIGINT and SIGHUP remove the temporary `--output` file, print one line and exit
///   128 + signo;
/// - a fatal signal (a trap, or the runtime aborting when an allocation fails) prints one line
///   and exits 2, unless `SWIFT_BACKTRACE` is set to ask for the runtime's backtrace.
public enum ProcessSetup {
    public static func prepare() {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) < 0 {
            let placeholder = open("/dev/null", (fd == STDERR_FILENO ? O_WRONLY : O_RDONLY) | O_NOCTTY)
            if placeholder >= 0, placeholder != fd {
                dup2(placeholder, fd)
                close(placeholder)
            }
        }
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        _ = vc_install_termination_handlers()
        if getenv("SWIFT_BACKTRACE") == nil { _ = vc_install_fatal_handlers() }
    }
}
