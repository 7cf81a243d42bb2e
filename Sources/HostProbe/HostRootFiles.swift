import Foundation
import HostModel

/// Binary reads and link targets through the same root seam as `HostRoot.readText`.
extension HostRoot {
    /// Reads up to `limit` bytes of a binary file (PCI config space, an ACPI table). sysfs gives
    /// non-root readers a short file (64 bytes of config space), which is evidence, not an error.
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
                let err = errno
                return BinaryEvidence(source: absolute, status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > limit {
            return BinaryEvidence(source: absolute, status: .error, detail: "larger than \(limit) bytes")
        }
        return BinaryEvidence(source: absolute, bytes: bytes)
    }

    /// Opens a file of evidence for reading without ever blocking: O_NONBLOCK, because opening a
    /// FIFO planted in a captured tree would otherwise wait forever for a writer. Only regular
    /// files are accepted (sysfs and procfs attributes are regular), so /dev/zero or a FIFO where
    /// evidence should be is refused instead of read without end; `device` also admits the
    /// character devices of the live system (/dev/cpu/N/cpuid, /dev/cpu/N/msr).
    public func openEvidence(_ absolute: String, device: Bool = false) -> Result<Int32, OpenFailure> {
        let fd = open(rooted(absolute), O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let err = errno
            return .failure(OpenFailure(status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err), errno: err))
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
    public func linkName(_ absolute: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(rooted(absolute), &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }
}
