import CShims
import FoundationEssentials
import Glibc
import HostModel

/// The one seam between virtcheck and the machine it reads: every path under /proc, /sys
/// and /dev is read relative to `path` (`/` live; a captured tree with `--root DIR`), so
/// tests drive the live code over fixture trees. A captured tree is resolved as if it were `/`
/// (openat2 with RESOLVE_IN_ROOT, see `openInRoot`): its symlinks work, absolute ones included,
/// but none of them, and no `..`, reaches outside it.
public struct HostRoot: Sendable, Hashable {
    /// The directory that stands for `/`.
    public var path: String
    /// True when this is the running system (instructions and ioctls are allowed).
    public var isLive: Bool

    public static let live = HostRoot(path: "/", isLive: true)

    public init(path: String, isLive: Bool) {
        self.path = path
        self.isLive = isLive
    }

    /// `rooted("/proc/cpuinfo")` → `DIR/proc/cpuinfo`: a name for messages and evidence
    /// sources only. Never open it: a link in the tree would be followed out of it.
    public func rooted(_ absolute: String) -> String {
        path == "/" ? absolute : (path.hasSuffix("/") ? String(path.dropLast()) : path) + absolute
    }

    /// Reads a whole (small) file; files in /proc and /sys report size 0, so this reads until EOF
    /// with a cap. The errno maps to an evidence status.
    public func readText(_ absolute: String, limit: Int = 4 << 20) -> TextEvidence {
        let fd: Int32
        switch openEvidence(absolute) {
        case .success(let opened): fd = opened
        case .failure(let f): return TextEvidence(source: absolute, status: f.status, detail: f.detail)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        // An uninitialized chunk that read(2) fills: zeroing a 64 KiB array for each of the ~90
        // files a check reads (most of them a sysfs value of a few bytes) was a ninth of its
        // instructions (callgrind, issue 16).
        let failed: Int32? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { chunk in
            while bytes.count < limit {
                let n = read(fd, chunk.baseAddress, chunk.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<n]))
            }
            return nil
        }
        if let err = failed {
            return TextEvidence(source: absolute, status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err))
        }
        if bytes.count >= limit {
            return TextEvidence(source: absolute, status: .error, detail: "larger than \(limit) bytes")
        }
        return TextEvidence(source: absolute, status: .ok, text: String(decoding: bytes, as: UTF8.self))
    }

    /// The trimmed content of a one-value file (sysfs attributes), or nil.
    public func value(_ absolute: String) -> String? {
        let t = readText(absolute, limit: 1 << 16)
        return t.text.map { $0.trimmed() }
    }

    /// More entries than any sysfs directory of a real host holds (a large host lists a few
    /// thousand PCI functions): a directory planted with millions is refused, not sorted.
    public static let maxDirectoryEntries = 1 << 16

    /// Names in a directory, sorted; nil when it cannot be listed or holds more than
    /// `maxDirectoryEntries`.
    public func list(_ absolute: String) -> [String]? {
        guard case .success(let fd) = openInRoot(absolute, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK) else { return nil }
        guard case .names(let names) = InputFile.names(inDirectory: fd, limit: HostRoot.maxDirectoryEntries) else { return nil }
        return names.sorted()
    }

    public func exists(_ absolute: String) -> Bool {
        guard case .success(let fd) = openInRoot(absolute, flags: VC_O_PATH | O_CLOEXEC) else { return false }
        close(fd)
        return true
    }

    /// errno → evidence status: EACCES/EPERM denied, ENOENT/ENODEV/ENXIO absent, EIO unsupported.
    public static func status(errno err: Int32) -> EvidenceStatus {
        switch err {
        case EACCES, EPERM: .denied
        case ENOENT, ENODEV, ENXIO, ENOTDIR: .absent
        case EIO: .unsupported
        default: .error
        }
    }

    public static func describe(errno err: Int32) -> String {
        switch err {
        case ENOSYS: "openat2 unavailable (errno \(err)): reading a captured tree needs Linux 5.6 or later"
        case EXDEV: "resolves outside the captured tree (errno \(err))"
        case ELOOP: "symbolic link loop, or a /proc magic link (errno \(err))"
        default: "\(String(cString: strerror(err))) (errno \(err))"
        }
    }
}
