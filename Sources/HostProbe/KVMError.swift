import Foundation

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
}
