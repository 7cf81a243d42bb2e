import Analysis
import HostModel

/// How far a function's config space is read: exactly as far as `PCIConfigDecoder` walks it.
/// The decoder runs on what has been read so far; the first field it finds unread is read next
/// (its aligned dwords), until it walks to its end. A virtio function is then 11 dwords instead
/// of 64, a PCIe function with extended capabilities about 20 instead of 1,024: each dword is a
/// config cycle, which a VM emulates (36 µs on this project's development machine, where reading
/// six functions whole took 14 ms of a 30 ms `check`). The snapshot keeps the bytes read and
/// marks the others unread, and decoding it later walks the same fields.
enum PCIConfigReach {
    /// Conventional config space, whose first 256 bytes hold the standard list (PCI Local Bus
    /// 3.0 §6.1); PCIe functions have 4 KiB with the extended list at 100h (PCIe Base 4.0 §7.2).
    static let standardSize = 256
    static let expressSize = 4096

    /// The next step for a region read so far from a file of `fileSize` bytes.
    static func next(_ region: PartialBytes, fileSize: Int) -> PartialReadStep {
        let decoded: PCIConfigDecoder.Result
        do throws(BinaryDecodingError) {
            decoded = try PCIConfigDecoder.decode(region)
        } catch {
            return step(for: error)
        }
        if let error = decoded.error { return step(for: error) }
        // The extended list is only walked for a PCI Express function (the decoder's rule), so
        // only then is the region grown past the standard 256 bytes.
        if decoded.capabilities.express != nil, region.count == standardSize, fileSize > standardSize {
            return .grow(to: min(fileSize, expressSize))
        }
        return .done
    }

    /// An unread field is read, whole dwords (sysfs reads aligned dwords as single config
    /// cycles); any other error is the decoder's to report.
    static func step(for error: BinaryDecodingError) -> PartialReadStep {
        guard case let .notRead(_, offset, length) = error else { return .done }
        let start = offset & ~3
        let end = (offset + length + 3) & ~3
        return .read(start..<end)
    }
}
