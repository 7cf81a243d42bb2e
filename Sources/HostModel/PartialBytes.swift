/// A region of which only some bytes were read, such as a PCI function's config space read as far
/// as its capability lists reach: `bytes` spans the whole region (its `count` is the region's
/// size), `read[i]` says whether `bytes[i]` came from the source (an unread byte holds zero and
/// must not be used). Kept in a snapshot as hex with `--` for each unread byte.
public struct PartialBytes: Sendable, Hashable {
    public private(set) var bytes: [UInt8]
    public private(set) var read: [Bool]

    /// A region of `count` bytes, none read yet.
    public init(count: Int) {
        bytes = [UInt8](repeating: 0, count: count)
        read = [Bool](repeating: false, count: count)
    }

    /// A region read whole.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        read = [Bool](repeating: true, count: bytes.count)
    }

    /// A region with its bytes and which of them were read, as decoded (`BinaryEvidence.partial`).
    init(bytes: [UInt8], read: [Bool]) {
        precondition(bytes.count == read.count)
        self.bytes = bytes
        self.read = read
    }

    public var count: Int { bytes.count }
    /// How many of the region's bytes were read.
    public var readCount: Int { read.lazy.filter { $0 }.count }

    /// Whether every byte of `offset..<offset + length` lies in the region and was read.
    public func isRead(_ offset: Int, _ length: Int) -> Bool {
        guard offset >= 0, length >= 0, offset <= count, count - offset >= length else { return false }
        return read[offset..<offset + length].allSatisfy { $0 }
    }

    /// Records bytes read at `offset`; those past the region's end are dropped. Takes an array
    /// slice, not any collection: called from another module, the generic version ran unspecialised,
    /// an enumerated iterator's metadata and witness calls for each byte (14,000 instructions a
    /// config dword, 0.83 M of a check; callgrind, issue 16).
    public mutating func store(_ chunk: ArraySlice<UInt8>, at offset: Int) {
        for i in chunk.indices {
            let at = offset + (i - chunk.startIndex)
            guard at >= 0 && at < count else { continue }
            bytes[at] = chunk[i]
            read[at] = true
        }
    }

    /// Makes the region `newCount` bytes long: bytes past it are dropped (a source that gave fewer
    /// bytes than its size said), bytes added are unread.
    public mutating func resize(to newCount: Int) {
        guard newCount >= 0 else { return }
        if newCount < count {
            bytes.removeSubrange(newCount...)
            read.removeSubrange(newCount...)
        } else {
            let added = newCount - count
            bytes += repeatElement(0, count: added)
            read += repeatElement(false, count: added)
        }
    }
}
