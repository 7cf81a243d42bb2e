/// How one read of the host went. Missing evidence is never a failure of the host:
/// rules turn `denied`/`absent`/`error` into `unknown` with the reason and a remedy.
public enum EvidenceStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Read and recorded.
    case ok
    /// The kernel refused (EACCES/EPERM): usually needs root.
    case denied
    /// The file, device or driver is not there (ENOENT/ENODEV/ENXIO): e.g. msr module not loaded.
    case absent
    /// The hardware has no such register (EIO on /dev/cpu/N/msr).
    case unsupported
    /// Anything else; the detail says what.
    case error
}
