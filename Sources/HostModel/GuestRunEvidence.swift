/// The proof by execution: tiny real guests run through /dev/kvm in a child process with a
/// hard timeout, and the exit round-trip times measured there.
public struct GuestRunEvidence: Codable, Sendable, Hashable {
    public struct ExitLatency: Codable, Sendable, Hashable {
        /// An exit handled by this process (OUT to a port): KVM_RUN returns to userspace.
        public var userspace: LatencyStats?
        /// An exit the kernel handles without returning (CPUID in a loop).
        public var inKernel: LatencyStats?

        public init(userspace: LatencyStats?, inKernel: LatencyStats?) {
            self.userspace = userspace
            self.inKernel = inKernel
        }
    }

    /// Every mode ran and returned its expected value.
    public var ok: Bool
    public var runs: [GuestModeRun]
    public var exitLatencyNs: ExitLatency?
    public var timedOut: Bool
    /// The step that failed (`KVM_CREATE_VM: EACCES`, ...), when not ok.
    public var error: String?

    public init(ok: Bool, runs: [GuestModeRun], exitLatencyNs: ExitLatency?, timedOut: Bool, error: String?) {
        self.ok = ok
        self.runs = runs
        self.exitLatencyNs = exitLatencyNs
        self.timedOut = timedOut
        self.error = error
    }
}
