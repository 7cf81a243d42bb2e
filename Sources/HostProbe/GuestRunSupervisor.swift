import CShims
import FoundationEssentials
import Glibc
import HostModel

/// The parent side of the guest run: starts a child process with posix_spawn (never a bare
/// fork() in a Swift process: only async-signal-safe work is allowed after fork in a
/// multithreaded program), reads the GuestRunEvidence JSON it prints, and SIGKILLs and reaps it
/// when it outlives the timeout, so no guest can hang virtcheck or survive it.
public struct GuestRunSupervisor: Sendable {
    /// The program to start and its arguments (without argv[0]).
    public var executable: String
    public var arguments: [String]
    public var timeoutNanoseconds: UInt64

    /// The hidden subcommand of `virtcheck` that runs the guests in-process and prints the JSON.
    public static let subcommand = "__guest-run"
    /// Asks the child to run the CPL3 probes (`Cpl3Prober`) first and to write their evidence to
    /// `cpl3Descriptor`: `check` then starts one child for both instead of two fresh executions of
    /// this large static binary (the second one cost `check` a few milliseconds of CPU; issue 16).
    public static let cpl3ProbesFlag = "--cpl3-probes"
    /// The child's descriptor for the CPL3 evidence: a pipe of its own, so each evidence is read
    /// whole without framing, and the probes' stands whatever becomes of the guests after it.
    public static let cpl3Descriptor: Int32 = 3
    /// Asks the child to write, once its guests have run, the CPUID that KVM_GET_SUPPORTED_CPUID
    /// gave it for them to `supportedCpuidDescriptor`, the kernel's `kvm_cpuid_entry2` records as
    /// they are (`MemoryRecords`): `check`'s KVM probe takes that answer instead of asking the
    /// kernel again, which costs as much (the kernel runs the host's CPUID for every entry: 1 ms
    /// of exits on this project's machine; issue 16).
    public static let supportedCpuidFlag = "--supported-cpuid"
    public static let supportedCpuidDescriptor: Int32 = 4
    static let outputLimit = 16 << 20

    public init(executable: String, arguments: [String], timeoutNanoseconds: UInt64 = 10_000_000_000) {
        self.executable = executable
        self.arguments = arguments
        self.timeoutNanoseconds = timeoutNanoseconds
    }

    /// This very executable (`/proc/self/exe`) with `__guest-run`; the child's own time limit is
    /// shorter than the parent's, so normally the child reports its own timeout with the exits
    /// it saw, and SIGKILL is only the backstop.
    public static func selfExecutable(timeoutNanoseconds: UInt64 = 10_000_000_000) -> GuestRunSupervisor {
        childCommand(executable: "/proc/self/exe", timeoutNanoseconds: timeoutNanoseconds)
    }

    /// `executable __guest-run --time-limit-ms N` with N a fifth below the timeout.
    public static func childCommand(executable: String, extraArguments: [String] = [],
                                    timeoutNanoseconds: UInt64 = 10_000_000_000) -> GuestRunSupervisor {
        let childLimitMs = timeoutNanoseconds / 1_000_000 * 4 / 5
        return GuestRunSupervisor(executable: executable,
                                  arguments: [subcommand, "--time-limit-ms", String(childLimitMs)] + extraArguments,
                                  timeoutNanoseconds: timeoutNanoseconds)
    }

    /// Called first in the child: if virtcheck dies, the kernel kills the guest run too.
    public static func bindChildToParent() {
        _ = vc_die_with_parent(SIGKILL)
    }

    /// Spawns the child, collects its output within the timeout, and turns whatever happened
    /// (JSON, a crash, a kill) into evidence. A child that could not be started, or that ended
    /// without evidence and without being killed here, is virtcheck's own failure (`ownLimit`):
    /// the guest code cannot kill its process — a guest's faults are exits — so only virtcheck's
    /// limits (memory, descriptors) or a bug can.
    public func run() -> GuestRunEvidence {
        do throws(KVMError) { return guestRunEvidence(try spawnAndWait()) } catch {
            return .ownFailure(error.description, ownLimit: error.isOwnLimit ? error.ownLimitDescription : nil)
        }
    }

    /// What the child that ran the guests and, before them, the CPL3 probes found.
    public struct Execution: Sendable {
        public var guestRun: GuestRunEvidence
        public var cpl3Probes: Cpl3ProbeEvidence
        /// KVM_GET_SUPPORTED_CPUID as the child was answered (`supportedCpuidFlag`); nil when it
        /// wrote none (its device did not open, it was killed, or it was not asked).
        public var supportedCpuid: [CPUIDLeaf]? = nil
    }

    /// `run`, with the CPL3 probes run first in the same child (`cpl3ProbesFlag`), and the
    /// supported CPUID it was given written after the guests (`supportedCpuidFlag`). The probes
    /// execute code as the guests do and, like them, only ever in a child: its fault handlers
    /// never reach virtcheck, and a probe or guest that kills or hangs the child is evidence, not a
    /// crash here.
    public func runWithCpl3Probes() -> Execution {
        var child = self
        child.arguments += [GuestRunSupervisor.cpl3ProbesFlag, GuestRunSupervisor.supportedCpuidFlag]
        do throws(KVMError) {
            let outcome = try child.spawnAndWait(checkChannels: true)
            let supported = outcome.supportedCpuidOutput.isEmpty ? nil
                : GuestRunSupervisor.supportedCpuid(packed: Array(outcome.supportedCpuidOutput))
            return Execution(guestRun: guestRunEvidence(outcome), cpl3Probes: Cpl3ProbeSupervisor.evidence(outcome),
                             supportedCpuid: supported)
        } catch {
            return Execution(guestRun: .ownFailure(error.description, ownLimit: error.isOwnLimit ? error.ownLimitDescription : nil),
                             cpl3Probes: Cpl3ProbeEvidence(results: [], error: error.description))
        }
    }

    /// The child's answer to `supportedCpuidFlag`: the entries as they lie in memory.
    public static func packed(supportedCpuid entries: [kvm_cpuid_entry2]) -> [UInt8] {
        MemoryRecords.bytes(of: entries)
    }

    /// The leaves in `packed(supportedCpuid:)`'s bytes; nil unless they are whole entries, no
    /// more than the kernel is ever asked for.
    static func supportedCpuid(packed bytes: [UInt8]) -> [CPUIDLeaf]? {
        MemoryRecords.records(kvm_cpuid_entry2.self, in: bytes[...], limit: Int(KVMDevice.supportedCpuidLimit)).map(KVMDevice.leaves)
    }

    /// The child's guest-run evidence, or what became of it.
    func guestRunEvidence(_ outcome: ChildOutcome) -> GuestRunEvidence {
        switch outcome.killed {
        case .timeout?:
            let seconds = String(cFormat: "%.1f", Double(timeoutNanoseconds) / 1e9)
            return GuestRunEvidence(ok: false, runs: [], exitLatencyNs: nil, timedOut: true,
                                    error: "guest run killed after \(seconds) s (no answer within the time limit)")
        case .flooded?:
            return GuestRunEvidence(ok: false, runs: [], exitLatencyNs: nil, timedOut: false,
                                    error: "guest run killed: more than \(GuestRunSupervisor.outputLimit >> 20) MiB of output")
        case .pollFailed(let err)?:
            return .ownFailure("guest run killed: poll failed: \(HostRoot.describe(errno: err))")
        case nil:
            break
        }
        if outcome.finished, let evidence = try? SnapshotCoding.decode(GuestRunEvidence.self, from: outcome.stdout) {
            return evidence
        }
        let stderr = String(decoding: outcome.stderr.suffix(400), as: UTF8.self).trimmed()
        return .ownFailure("guest run child \(outcome.statusText) without evidence" + (stderr.isEmpty ? "" : ": \(stderr)"))
    }

    enum KillReason {
        case timeout, flooded
        case pollFailed(Int32)
    }

    struct ChildOutcome {
        var stdout: Data
        var stderr: Data
        /// What the child wrote to `cpl3Descriptor` (empty unless asked for).
        var cpl3Output = Data()
        /// What the child wrote to `supportedCpuidDescriptor` (empty unless asked for).
        var supportedCpuidOutput = Data()
        /// The raw wait status; nil when the child had closed its output and was still exiting
        /// (`ChildReaper` waits for it): what it wrote is all it will write.
        var status: Int32?
        /// Why the parent killed the child, if it did.
        var killed: KillReason?

        var statusText: String {
            guard let status else { return "closed its output" }
            return status & 0x7F == 0 ? "exited with status \((status >> 8) & 0xFF)" : "died of signal \(status & 0x7F)"
        }

        /// Exited with status 0, or closed its output and is still exiting: either way what it
        /// wrote is complete, and decoding it decides.
        var finished: Bool { status == nil || status == 0 }
    }

    /// Whether `output` starts and ends as the children's pretty-printed JSON does (`{` ... a `}`
    /// at the start of the last line): whether it holds evidence is still decoding's to say.
    static func endsAsADocument(_ output: Data) -> Bool {
        output.first == UInt8(ascii: "{") && output.suffix(3).elementsEqual("\n}\n".utf8)
    }

    /// Moves a pipe end numbered at or below `supportedCpuidDescriptor` above it. The spawn's dup2s
    /// run in turn (1, 2, 3, then 4): a write end numbered 3 (free when another thread closed a
    /// file between these pipes) was overwritten by the CPL3 pipe before its own dup2 read it, and
    /// the child's descriptor 4 was the CPL3 pipe. Returns 0 or an errno.
    static func raise(_ fd: inout Int32) -> Int32 {
        guard fd <= supportedCpuidDescriptor else { return 0 }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, supportedCpuidDescriptor + 1)
        guard moved >= 0 else { return errno }
        close(fd)
        fd = moved
        return 0
    }

    /// `checkChannels`: two more pipes, the child's `cpl3Descriptor` and `supportedCpuidDescriptor`.
    func spawnAndWait(checkChannels: Bool = false) throws(KVMError) -> ChildOutcome {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var cpl3Pipe: [Int32] = [-1, -1]
        var cpuidPipe: [Int32] = [-1, -1]
        var err = vc_pipe_cloexec(&outPipe)
        guard err == 0 else { throw KVMError(step: "pipe2", errno: err) }
        err = vc_pipe_cloexec(&errPipe)
        if err == 0, checkChannels { err = vc_pipe_cloexec(&cpl3Pipe) }
        if err == 0, checkChannels { err = vc_pipe_cloexec(&cpuidPipe) }
        guard err == 0 else {
            for fd in outPipe + errPipe + cpl3Pipe + cpuidPipe where fd >= 0 { close(fd) }
            throw KVMError(step: "pipe2", errno: err)
        }
        if checkChannels { err = GuestRunSupervisor.raise(&cpl3Pipe[1]) }
        if err == 0, checkChannels { err = GuestRunSupervisor.raise(&cpuidPipe[1]) }
        guard err == 0 else {
            for fd in outPipe + errPipe + cpl3Pipe + cpuidPipe where fd >= 0 { close(fd) }
            throw KVMError(step: "fcntl(F_DUPFD_CLOEXEC)", errno: err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if checkChannels {
            posix_spawn_file_actions_adddup2(&actions, cpl3Pipe[1], GuestRunSupervisor.cpl3Descriptor)
            posix_spawn_file_actions_adddup2(&actions, cpuidPipe[1], GuestRunSupervisor.supportedCpuidDescriptor)
        }
        // The child must not inherit a blocked or ignored SIGALRM (its watchdog needs it), nor the
        // ignored SIGPIPE and SIGXFSZ of virtcheck's own process setup.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGALRM)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGXFSZ)
        posix_spawnattr_setsigmask(&attributes, &emptySet)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawnError = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawn(&pid, executable, &actions, &attributes, args.baseAddress!, environ)
        }
        close(outPipe[1])
        close(errPipe[1])
        if checkChannels { close(cpl3Pipe[1]); close(cpuidPipe[1]) }
        defer { for fd in [outPipe[0], errPipe[0], cpl3Pipe[0], cpuidPipe[0]] where fd >= 0 { close(fd) } }
        guard spawnError == 0 else { throw KVMError(step: "posix_spawn \(executable)", errno: spawnError) }

        let deadline = GuestMachine.monotonicNanoseconds() &+ timeoutNanoseconds
        var stdout = Data(), stderr = Data(), cpl3Output = Data(), cpuidOutput = Data()
        var open: [Int32] = [outPipe[0], errPipe[0]] + (checkChannels ? [cpl3Pipe[0], cpuidPipe[0]] : [])
        var killed: KillReason?
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let now = GuestMachine.monotonicNanoseconds()
            // Evidence is a few kilobytes; a child that floods its pipes is as broken as a hung one.
            guard now < deadline, stdout.count + stderr.count + cpl3Output.count + cpuidOutput.count < GuestRunSupervisor.outputLimit else {
                kill(pid, SIGKILL)
                killed = now < deadline ? .flooded : .timeout
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let waitMs = Int32(min((deadline - now) / 1_000_000 + 1, 1000))
            let ready = poll(&fds, nfds_t(fds.count), waitMs)
            if ready < 0 && errno != EINTR {
                killed = .pollFailed(errno)
                kill(pid, SIGKILL)
                break
            }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    switch entry.fd {
                    case outPipe[0]: stdout.append(contentsOf: buffer[0..<n])
                    case errPipe[0]: stderr.append(contentsOf: buffer[0..<n])
                    case cpl3Pipe[0]: cpl3Output.append(contentsOf: buffer[0..<n])
                    default: cpuidOutput.append(contentsOf: buffer[0..<n])
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        var reaped: pid_t = 0
        if killed == nil, GuestRunSupervisor.endsAsADocument(stdout) {
            // Every pipe is closed and stdout ends as the child's JSON does: it wrote all it will.
            // It may still be exiting (its VM is torn down then: 0.7 to 1.4 ms here, on `check`'s
            // path); its evidence need not wait for that. Output that does not end so waits for
            // the status that the failure's message names.
            repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped < 0 && errno == EINTR
            if reaped == 0, ChildReaper.reapLater(pid) {
                return ChildOutcome(stdout: stdout, stderr: stderr, cpl3Output: cpl3Output, supportedCpuidOutput: cpuidOutput,
                                    status: nil, killed: nil)
            }
        }
        if reaped != pid { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        return ChildOutcome(stdout: stdout, stderr: stderr, cpl3Output: cpl3Output, supportedCpuidOutput: cpuidOutput,
                            status: status, killed: killed)
    }
}
