import Foundation
import HostModel

/// Binary reads and link targets through the same root seam as `HostRoot.readText`.
extension HostRoot {
    /// Reads up to `limit` bytes of a binary file (PCI config space, an ACPI table). sysfs gives
    /// non-root readers a short file (64 bytes of config space), which is evidence, not an error.
    public func readBytes(_ absolute: String, limit: Int = 1 << 20) -> BinaryEvidence {
        let fd = open(rooted(absolute), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            return BinaryEvidence(source: absolute, status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err))
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

    /// The last component of a symlink's target (`driver` → `vfio-pci`); nil when not a link.
    public func linkName(_ absolute: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(rooted(absolute), &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }
}
