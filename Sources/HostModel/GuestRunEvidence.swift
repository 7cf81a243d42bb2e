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
    /// Set when the run failed for virtcheck's own reasons, not the host's: it could not start a
    /// thread, a child, a descriptor or a VM (EAGAIN, EMFILE, ENFILE, ENOMEM under its ulimits),
    /// or its child died without evidence. Names the step and the limit to raise. Such a run
    /// proves nothing about KVM, so the findings it feeds are `unknown`, never `fail`.
    public var ownLimit: String?
    /// The nested run (`SVMNestedRun`), where KVM offers SVM to its guests; nil where it was not
    /// tried. Its failure does not make `ok` false: `ok` is about running a guest at all.
    public var nested: NestedRunEvidence?
    /// After `nested` completed: the same round trips from 32-bit L1s (PAE, then 2-level paging)
    /// whose nested guest runs with paging off; nil where not tried (older snapshots included).
    public var nested32: [NestedRunEvidence]?

    public init(ok: Bool, runs: [GuestModeRun], exitLatencyNs: ExitLatency?, timedOut: Bool, error: String?,
                ownLimit: String? = nil, nested: NestedRunEvidence? = nil, nested32: [NestedRunEvidence]? = nil) {
        self.nested = nested
        self.nested32 = nested32
        self.ok = ok
        self.runs = runs
        self.exitLatencyNs = exitLatencyNs
        self.timedOut = timedOut
        self.error = error
        self.ownLimit = ownLimit
    }

    /// A run that failed for virtcheck's own reasons: `error` as it happened, `ownLimit` (by
    /// default the same) with the limit to raise.
    public static func ownFailure(_ error: String, ownLimit: String? = nil) -> GuestRunEvidence {
        GuestRunEvidence(ok: false, runs: [], exitLatencyNs: nil, timedOut: false, error: error, ownLimit: ownLimit ?? error)
    }
}
