/// A binary file read as evidence (PCI config space, an ACPI table), kept as lowercase hex so a
/// snapshot stays JSON text and a person can hold it against `lspci -xxxx` or `acpidump` by eye.
public struct BinaryEvidence: Codable, Sendable, Hashable {
    /// The path as it would be on the host, e.g. `/sys/firmware/acpi/tables/DMAR`.
    public var source: String
    public var status: EvidenceStatus
    /// The bytes, two hex digits each, no separators, `--` for a byte of a region that was not read
    /// (`PartialBytes`); nil when not read at all.
    public var hex: String?
    /// Why it could not be read, when `status` is not `ok`.
    public var detail: String?

    public init(source: String, status: EvidenceStatus, hex: String? = nil, detail: String? = nil) {
        self.source = source
        self.status = status
        self.hex = hex
        self.detail = detail
    }

    public init(source: String, bytes: [UInt8]) {
        self.init(source: source, status: .ok, hex: BinaryEvidence.hex(bytes))
    }

    public init(source: String, partial: PartialBytes) {
        self.init(source: source, status: .ok, hex: BinaryEvidence.hex(partial))
    }

    /// The bytes back; nil when not read, when some were not read (`partial` gives those) or when
    /// the hex is not well formed (a hand-edited snapshot).
    public var bytes: [UInt8]? {
        guard let region = partial, region.readCount == region.count else { return nil }
        return region.bytes
    }

    /// The region back, read whole or in part; nil when not read or when the hex is not well formed.
    public var partial: PartialBytes? {
        // On the hex's contiguous bytes, filled in place: byte by byte through `String.UTF8View`'s
        // iterator and `PartialBytes.store` it cost 80,000 instructions for one 4 KiB config
        // space, 5 % of an assessment (callgrind, issue 16).
        guard var hex else { return nil }
        return hex.withUTF8 { digits -> PartialBytes? in
            guard digits.count % 2 == 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: digits.count / 2)
            var read = [Bool](repeating: false, count: digits.count / 2)
            for offset in bytes.indices {
                let first = digits[2 * offset], second = digits[2 * offset + 1]
                if first == UInt8(ascii: "-"), second == UInt8(ascii: "-") { continue }
                guard let high = Hex.digit(first), let low = Hex.digit(second) else { return nil }
                bytes[offset] = high << 4 | low
                read[offset] = true
            }
            return PartialBytes(bytes: bytes, read: read)
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String { hex(PartialBytes(bytes: bytes)) }

    public static func hex(_ region: PartialBytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(region.count * 2)
        for (byte, read) in zip(region.bytes, region.read) {
            out.append(read ? Hex.character(byte >> 4) : UInt8(ascii: "-"))
            out.append(read ? Hex.character(byte & 0xf) : UInt8(ascii: "-"))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
