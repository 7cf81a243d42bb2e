import HostModel

/// Parses the ACPI IVRS table (AMD IOMMU spec 48882 rev 3.08, §5.2). Untrusted bytes: block and
/// entry lengths are checked before use, unknown entry types whose size cannot be known stop the
/// walk of that block with a typed error.
public enum IVRSParser {
    /// §5.2.1: ACPI header, IVinfo (4 bytes) and 8 reserved bytes.
    static let fixedSize = 48

    public static func parse(_ bytes: [UInt8]) throws(BinaryDecodingError) -> IVRSTable {
        let (header, t) = try ACPIHeaderParser.parse(bytes, signature: "IVRS", minimumLength: fixedSize)
        let info = try t.u32(36, "IVinfo")
        var table = IVRSTable(header: header, physicalAddressSize: Int(info >> 8 & 0x7f),
                              virtualAddressSize: Int(info >> 15 & 0x7f), dmaRemapOptIn: info & 2 != 0,
                              units: [], memory: [])
        var offset = fixedSize
        while offset < t.count {
            let type = Int(try t.u8(offset, "IVDB type"))
            let length = Int(try t.u16(offset + 2, "IVDB length"))
            guard length >= 4 else { throw .badLength(what: "IVDB type \(String(type, radix: 16))h", offset: offset, length: length) }
            try t.require("IVDB type \(String(type, radix: 16))h", at: offset, length)
            switch type {
            case 0x10, 0x11, 0x40:
                let headerSize = type == 0x10 ? 24 : 40
                guard length >= headerSize else { throw .badLength(what: "IVHD", offset: offset, length: length) }
                table.units.append(IVRSTable.HardwareDefinition(
                    type: type, flags: Int(try t.u8(offset + 1, "IVHD flags")),
                    deviceId: Int(try t.u16(offset + 4, "IVHD device id")),
                    segment: Int(try t.u16(offset + 16, "IVHD segment")),
                    capabilityOffset: Int(try t.u16(offset + 6, "IVHD capability offset")),
                    baseAddress: ACPIHeaderParser.hex(try t.u64(offset + 8, "IVHD base address")),
                    efr: type == 0x10 ? nil : ACPIHeaderParser.hex(try t.u64(offset + 24, "IVHD EFR image")),
                    entries: try entries(t, from: offset + headerSize, to: offset + length)))
            case 0x20, 0x21, 0x22:
                guard length >= 32 else { throw .badLength(what: "IVMD", offset: offset, length: length) }
                table.memory.append(IVRSTable.MemoryDefinition(
                    type: type, deviceId: Int(try t.u16(offset + 4, "IVMD device id")),
                    start: ACPIHeaderParser.hex(try t.u64(offset + 16, "IVMD start")),
                    length: ACPIHeaderParser.hex(try t.u64(offset + 24, "IVMD length"))))
            default:
                break // §5.2.1: software skips IVDB types it does not know by their length.
            }
            offset += length
        }
        return table
    }

    /// §5.2.2.2: entry size follows from the type (00h–3Fh: 4 bytes, 40h–7Fh: 8 bytes; F0h: ACPI
    /// HID entry, 22 bytes + UID length); other types have no defined size, so the walk stops.
    static func entries(_ t: ByteView, from: Int, to end: Int) throws(BinaryDecodingError) -> [IVRSTable.DeviceEntry] {
        var result: [IVRSTable.DeviceEntry] = []
        var offset = from
        while offset < end {
            let type = Int(try t.u8(offset, "IVHD entry type"))
            let size: Int
            switch type {
            case 0x00..<0x40: size = 4
            case 0x40..<0x80: size = 8
            case 0xf0: size = 22 + Int(try t.u8(offset + 21, "ACPI HID UID length"))
            default: throw .badLength(what: "IVHD entry type \(String(type, radix: 16))h", offset: offset, length: 0)
            }
            guard offset + size <= end else {
                throw .truncated(what: "IVHD entry type \(String(type, radix: 16))h", offset: offset, needed: size,
                                 available: end - offset)
            }
            let deviceId = Int(try t.u16(offset + 1, "IVHD entry device id"))
            result.append(IVRSTable.DeviceEntry(type: type, deviceId: [1, 0xf0].contains(type) ? nil : deviceId,
                                                detail: describe(type: type, t: t, at: offset)))
            offset += size
        }
        return result
    }

    static func describe(type: Int, t: ByteView, at offset: Int) -> String {
        switch type {
        case 1: "all devices"
        case 2: "select"
        case 3: "range start"
        case 4: "range end"
        case 0x42: "alias select"
        case 0x43: "alias range start"
        case 0x46: "extended select"
        case 0x47: "extended range start"
        case 0x48:
            switch (try? t.u8(offset + 7, "variety")) ?? 0 {
            case 1: "special: IOAPIC \((try? t.u8(offset + 4, "handle")) ?? 0)"
            case 2: "special: HPET \((try? t.u8(offset + 4, "handle")) ?? 0)"
            default: "special"
            }
        case 0xf0: "ACPI HID device"
        default: "type \(String(type, radix: 16))h"
        }
    }
}
