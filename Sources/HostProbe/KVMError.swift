import FoundationEssentials
import Glibc

/// A KVM step that failed: the ioctl (or setup call) and the errno it returned. Evidence names
/// the exact step (`KVM_CREATE_VM: Permission denied (errno 13)`), so a reader can tell a missing
/// permission from a backend that refuses a CPU mode.
public struct KVMError: Error, Sendable, Hashable, CustomStringConvertible {
    public var step: String
    public var errno: Int32

    public init(step: String, errno: Int32) {
        self.step = step
        self.errno = errno
    }

    public var description: String { "\(step): \(HostRoot.describe(errno: errno))" }

    /// The errnos that mean virtcheck ran out of something of its own (processes or threads,
    /// descriptors, memory) rather than KVM refusing it.
    public static let ownLimitErrnos: Set<Int32> = [EAGAIN, EMFILE, ENFILE, ENOMEM]

    /// Whether this failure is virtcheck's own limit (see `ownLimitErrnos`).
    public var isOwnLimit: Bool { KVMError.ownLimitErrnos.contains(errno) }

    /// The failure and the limit to raise, for `GuestRunEvidence.ownLimit`.
    public var ownLimitDescription: String { "\(description): \(KVMError.remedy(errno: errno))" }

    /// Which limit an own-limit errno points at.
    public static func remedy(errno: Int32) -> String {
        switch errno {
        case EAGAIN: "too many processes or threads; raise `ulimit -u` for virtcheck"
        case EMFILE: "too many open files; raise `ulimit -n` for virtcheck"
        case ENFILE: "the system's file table is full (fs.file-max)"
        case ENOMEM: "out of memory; raise `ulimit -v` for virtcheck or free memory"
        default: "a limit of virtcheck's own process"
        }
    }
}
