import CShims
import FoundationEssentials
import Glibc
import HostModel

/// Binary reads and link targets through the same root seam as `HostRoot.readText`.
extension HostRoot {
    /// Reads up to `limit` bytes of a binary file (an ACPI table) to its end.
    public func readBytes(_ absolute: String, limit: Int = 1 << 20) -> BinaryEvidence {
        let fd: Int32
        switch openEvidence(absolute) {
        case .success(let opened): fd = opened
        case .failure(let f): return BinaryEvidence(source: absolute, status: f.status, detail: f.detail)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(bytes.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                return HostRoot.failedRead(absolute, errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > limit {
            return BinaryEvidence(source: absolute, status: .error, detail: "larger than \(limit) bytes")
        }
        return BinaryEvidence(source: absolute, bytes: bytes)
    }

    /// Reads a binary file in part: only the ranges `next` asks for, in turn, as a decoder walks
    /// what it has so far (PCI config space, where every byte is a config cycle: emulated and slow
    /// in a VM, 36 µs a dword on this project's machine). The region starts `initialSize` bytes
    /// long (at most the file's size, which must not exceed `limit`); `next` may grow it up to the
    /// file's size. A read that comes back short (sysfs gives non-root readers 64 bytes of config
    /// space) ends the region there: evidence, not an error.
    public func readOnDemand(_ absolute: String, limit: Int, initialSize: Int,
                             next: (PartialBytes, _ fileSize: Int) -> PartialReadStep) -> BinaryEvidence {
        let fd: Int32
        switch openEvidence(absolute) {
        case .success(let opened): fd = opened
        case .failure(let f): return BinaryEvidence(source: absolute, status: f.status, detail: f.detail)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            return HostRoot.failedRead(absolute, errno)
        }
        let fileSize = Int(st.st_size)
        guard fileSize <= limit else { return BinaryEvidence(source: absolute, status: .error, detail: "larger than \(limit) bytes") }
        var region = PartialBytes(count: min(initialSize, fileSize))
        var chunk = [UInt8](repeating: 0, count: limit)
        // Each step reads at least one unread byte, shrinks or grows the region: bounded by the
        // file's size plus the growths.
        for _ in 0...(limit + 2) {
            switch next(region, fileSize) {
            case .done:
                return BinaryEvidence(source: absolute, partial: region)
            case .grow(let size):
                guard size > region.count, size <= fileSize else { return BinaryEvidence(source: absolute, partial: region) }
                region.resize(to: size)
            case .read(let range):
                let wanted = range.clamped(to: 0..<region.count)
                guard !wanted.isEmpty, !region.isRead(wanted.lowerBound, wanted.count) else {
                    return BinaryEvidence(source: absolute, partial: region)
                }
                var n = -1
                repeat {
                    n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted.count, off_t(wanted.lowerBound)) }
                } while n < 0 && errno == EINTR
                if n < 0 {
                    return HostRoot.failedRead(absolute, errno)
                }
                region.store(chunk[0..<n], at: wanted.lowerBound)
                if n < wanted.count { region.resize(to: wanted.lowerBound + n) }
            }
        }
        return BinaryEvidence(source: absolute, partial: region)
    }

    /// A binary read that failed, as evidence: the status and text its errno gives.
    static func failedRead(_ absolute: String, _ err: Int32) -> BinaryEvidence {
        BinaryEvidence(source: absolute, status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err))
    }

    /// Opens a file of evidence for reading without ever blocking: O_NONBLOCK, because opening a
    /// FIFO planted in a captured tree would otherwise wait forever for a writer. Only regular
    /// files are accepted (sysfs and procfs attributes are regular), so /dev/zero or a FIFO where
    /// evidence should be is refused instead of read without end; `device` also admits the
    /// character devices of the live system (/dev/cpu/N/cpuid, /dev/cpu/N/msr).
    public func openEvidence(_ absolute: String, device: Bool = false) -> Result<Int32, OpenFailure> {
        let fd: Int32
        switch openInRoot(absolute, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK) {
        case .success(let opened): fd = opened
        case .failure(let f): return .failure(f)
        }
        var st = stat()
        let type = fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0
        guard type == S_IFREG || (device && isLive && type == S_IFCHR) else {
            close(fd)
            return .failure(OpenFailure(status: .error, detail: "not a regular file" + (type == S_IFIFO ? " (a FIFO)" : type == S_IFCHR ? " (a device)" : "")))
        }
        return .success(fd)
    }

    /// The last component of a symlink's target (`driver` → `vfio-pci`); nil when not a link.
    /// The link itself is read (readlinkat in its directory, opened inside the root), never
    /// followed.
    public func linkName(_ absolute: String) -> String? {
        guard let slash = absolute.lastIndex(of: "/") else { return nil }
        let parent = absolute[..<slash].isEmpty ? "/" : String(absolute[..<slash])
        let name = String(absolute[absolute.index(after: slash)...])
        guard !name.isEmpty, case .success(let dir) = openInRoot(parent, flags: VC_O_PATH | O_DIRECTORY | O_CLOEXEC) else { return nil }
        defer { close(dir) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dir, name, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(ascii: "/").last.map(String.init)
    }
}

extension HostRoot {
    /// stat(2) of a path under the root, following links inside it (a device node is described,
    /// never opened: O_PATH).
    public func fileStatus(_ absolute: String) -> Result<stat, OpenFailure> {
        let fd: Int32
        switch openInRoot(absolute, flags: VC_O_PATH | O_CLOEXEC) {
        case .success(let opened): fd = opened
        case .failure(let f): return .failure(f)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            return .failure(OpenFailure(status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err), errno: err))
        }
        return .success(st)
    }

    /// How often a RESOLVE_IN_ROOT open is retried when the kernel answers EAGAIN (a rename
    /// raced the `..` check) or EINTR.
    static let openRetries = 8

    /// Every open under the root goes through here. Live, a plain open(2) of the absolute path.
    /// In a captured tree, openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS against the
    /// tree's directory: absolute links, relative links and `..` are resolved as if the tree
    /// were `/`, so a link to /etc/shadow reads DIR/etc/shadow (usually absent), never the host's.
    /// A kernel without openat2 (before 5.6) gets ENOSYS, which is refused (see
    /// `checkConfinement`) rather than replaced by a resolution that could escape.
    func openInRoot(_ absolute: String, flags: Int32) -> Result<Int32, OpenFailure> {
        func failure(_ err: Int32) -> Result<Int32, OpenFailure> {
            .failure(OpenFailure(status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err), errno: err))
        }
        if isLive {
            while true {
                let fd = open(absolute, flags)
                if fd >= 0 { return .success(fd) }
                if errno != EINTR { return failure(errno) }
            }
        }
        let tree = open(path, VC_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard tree >= 0 else { return failure(errno) }
        defer { close(tree) }
        var err: Int32 = EAGAIN
        for _ in 0..<HostRoot.openRetries {
            let fd = vc_open_in_root(tree, absolute, flags)
            if fd >= 0 { return .success(fd) }
            err = errno
            if err != EAGAIN && err != EINTR { break }
        }
        return failure(err)
    }

    /// Nil when the tree can be read confined to itself; otherwise why not (no such directory,
    /// or a kernel without openat2).
    public func checkConfinement() -> OpenFailure? {
        switch openInRoot("/", flags: VC_O_PATH | O_DIRECTORY | O_CLOEXEC) {
        case .success(let fd):
            close(fd)
            return nil
        case .failure(let f):
            return f
        }
    }
}
