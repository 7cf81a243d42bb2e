import HostModel

/// Parses the ACPI DMAR table (Intel VT-d spec rev 4.1, chapter 8). Input is untrusted firmware
/// bytes: every structure's length is checked against its container before it is read, a zero or
/// short length stops the walk with a typed error, and nothing traps.
public enum DMARParser {
    /// §8.1: the fixed part is the ACPI header, Host Address Width, Flags and 10 reserved bytes.
    static let fixedSize = 48

    public static func parse(_ bytes: [UInt8]) throws(BinaryDecodingError) -> DMARTable {
        let (header, t) = try ACPIHeaderParser.parse(bytes, signature: "DMAR", minimumLength: fixedSize)
        let flags = try t.u8(37, "flags")
        var table = DMARTable(header: header, hostAddressWidth: Int(try t.u8(36, "host address width")) + 1,
                              interruptRemapping: flags & 1 != 0, x2apicOptOut: flags & 2 != 0,
                              dmaControlOptIn: flags & 4 != 0, units: [], reservedMemory: [], atsReporting: [],
                              otherStructures: [])
        var offset = fixedSize
        while offset < t.count {
            let type = Int(try t.u16(offset, "remapping structure type"))
            let length = Int(try t.u16(offset + 2, "remapping structure length"))
            guard length >= 4 else { throw .badLength(what: "remapping structure type \(type)", offset: offset, length: length) }
            try t.require("remapping structure type \(type)", at: offset, length)
            let end = offset + length
            switch type {
            case 0: // DRHD §8.3
                guard length >= 16 else { throw .badLength(what: "DRHD", offset: offset, length: length) }
                table.units.append(DMARTable.RemappingUnit(
                    segment: Int(try t.u16(offset + 6, "DRHD segment")),
                    registerBase: ACPIHeaderParser.hex(try t.u64(offset + 8, "DRHD register base")),
                    includePciAll: try t.u8(offset + 4, "DRHD flags") & 1 != 0,
                    scopes: try scopes(t, from: offset + 16, to: end)))
            case 1: // RMRR §8.4
                guard length >= 24 else { throw .badLength(what: "RMRR", offset: offset, length: length) }
                table.reservedMemory.append(DMARTable.ReservedMemory(
                    segment: Int(try t.u16(offset + 6, "RMRR segment")),
                    base: ACPIHeaderParser.hex(try t.u64(offset + 8, "RMRR base")),
                    limit: ACPIHeaderParser.hex(try t.u64(offset + 16, "RMRR limit")),
                    scopes: try scopes(t, from: offset + 24, to: end)))
            case 2: // ATSR §8.5
                guard length >= 8 else { throw .badLength(what: "ATSR", offset: offset, length: length) }
                table.atsReporting.append(DMARTable.ATSReporting(
                    segment: Int(try t.u16(offset + 6, "ATSR segment")),
                    allPorts: try t.u8(offset + 4, "ATSR flags") & 1 != 0,
                    scopes: try scopes(t, from: offset + 8, to: end)))
            default:
                table.otherStructures.append(type)
            }
            offset = end
        }
        return table
    }

    /// Device Scope entries (§8.3.1) filling [from, to): type, length ≥ 6 with an even path.
    static func scopes(_ t: ByteView, from: Int, to end: Int) throws(BinaryDecodingError) -> [DMARTable.DeviceScope] {
        var result: [DMARTable.DeviceScope] = []
        var offset = from
        while offset < end {
            guard end - offset >= 6 else {
                throw .truncated(what: "device scope", offset: offset, needed: 6, available: end - offset)
            }
            let length = Int(try t.u8(offset + 1, "device scope length"))
            guard length >= 6, (length - 6) % 2 == 0, offset + length <= end else {
                throw .badLength(what: "device scope", offset: offset, length: length)
            }
            var path: [Int] = []
            for i in stride(from: offset + 6, to: offset + length, by: 1) { path.append(Int(try t.u8(i, "scope path"))) }
            result.append(DMARTable.DeviceScope(type: Int(try t.u8(offset, "device scope type")),
                                                enumerationId: Int(try t.u8(offset + 4, "enumeration id")),
                                                startBus: Int(try t.u8(offset + 5, "start bus")), path: path))
            offset += length
        }
        return result
    }
}
