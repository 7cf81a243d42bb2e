import HostModel

/// Decodes PCI config space bytes: the header, the standard capability list (from 34h) and the
/// extended list (from 100h). The bytes come from sysfs (or a snapshot) and are treated as
/// untrusted: pointers are bounds- and loop-checked. Capabilities beyond the bytes read (non-root
/// gets 64) are reported as unread, never as absent.
public enum PCIConfigDecoder {
    public struct Result: Sendable, Hashable {
        public var header: PCIHeader
        public var capabilities: PCICapabilities
        /// A broken list: what was decoded before it stays valid.
        public var error: BinaryDecodingError?
    }

    static let portTypes = [0: "endpoint", 1: "legacy-endpoint", 4: "root-port", 5: "upstream-port",
                            6: "downstream-port", 7: "pcie-to-pci-bridge", 8: "pci-to-pcie-bridge",
                            9: "rc-integrated-endpoint", 10: "rc-event-collector"]
    static let linkSpeeds = [1: "2.5", 2: "5", 3: "8", 4: "16", 5: "32", 6: "64"]

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> Result {
        try decode(ByteView(bytes))
    }

    /// Config space read in part, as `PCIConfigReach` reads it: a field of an unread byte throws
    /// (or, inside a capability list, ends the walk with) `notRead`, naming what to read next.
    public static func decode(_ region: PartialBytes) throws(BinaryDecodingError) -> Result {
        try decode(ByteView(region))
    }

    static func decode(_ v: ByteView) throws(BinaryDecodingError) -> Result {
        guard v.count >= 64 else { throw .truncated(what: "config header", offset: 0, needed: 64, available: v.count) }
        let headerByte = try v.u8(0x0e, "header type")
        let headerType = Int(headerByte & 0x7f)
        let status = try v.u16(0x06, "status")
        let header = PCIHeader(
            vendorId: try v.u16(0, "vendor"), deviceId: try v.u16(2, "device"),
            classCode: try v.u32(0x08, "class") >> 8, headerType: headerType, multifunction: headerByte & 0x80 != 0,
            hasCapabilities: status & 0x10 != 0, capabilityPointer: Int(try v.u8(0x34, "capability pointer") & 0xfc),
            secondaryBus: headerType == 1 ? Int(try v.u8(0x19, "secondary bus")) : nil,
            subordinateBus: headerType == 1 ? Int(try v.u8(0x1a, "subordinate bus")) : nil)
        var caps = PCICapabilities(configBytes: v.count, standardRead: true, extendedRead: false)
        var error: BinaryDecodingError?
        do {
            if header.hasCapabilities { try walkStandard(v, from: header.capabilityPointer, into: &caps) }
            let hasExtendedSpace = caps.express != nil
            caps.extendedRead = caps.standardRead && (!hasExtendedSpace || v.count >= 4096)
            if hasExtendedSpace && v.count >= 4096 { try walkExtended(v, into: &caps) }
        } catch let e {
            error = e
        }
        return Result(header: header, capabilities: caps, error: error)
    }

    static func walkStandard(_ v: ByteView, from start: Int, into caps: inout PCICapabilities) throws(BinaryDecodingError) {
        var pointer = start
        var seen = Set<Int>()
        while pointer != 0 {
            guard pointer >= 0x40, pointer <= 0xfc else { throw .badLength(what: "capability pointer", offset: pointer, length: 0) }
            guard seen.insert(pointer).inserted else { throw .loop(what: "capability list", offset: pointer) }
            // Fewer than 256 bytes (non-root reads get 64): the list is unread, not absent.
            guard v.count >= 256 else {
                caps.standardRead = false
                return
            }
            let id = try v.u8(pointer, "capability id")
            caps.list.append("std:" + Hex.digits(Int(id), count: 2) + "@" + String(pointer, radix: 16))
            switch id {
            case 0x01:
                caps.pmNoSoftReset = try v.u16(pointer + 4, "PMCSR") & 0x8 != 0
            case 0x05:
                let control = try v.u16(pointer + 2, "MSI control")
                caps.msi = PCICapabilities.MSI(vectors: 1 << Int(control >> 1 & 7), address64: control & 0x80 != 0,
                                               enabled: control & 1 != 0)
            case 0x10:
                let flags = try v.u16(pointer + 2, "PCIe capabilities")
                let devCap = try v.u32(pointer + 4, "device capabilities")
                let type = Int(flags >> 4 & 0xf)
                let hasLink = ![9, 10].contains(type)
                let linkCap = hasLink ? try v.u32(pointer + 0x0c, "link capabilities") : 0
                caps.express = PCICapabilities.Express(
                    portType: portTypes[type] ?? "type-\(type)", flr: devCap & (1 << 28) != 0,
                    maxPayload: 128 << Int(min(devCap & 7, 5)),
                    linkSpeed: hasLink ? linkSpeeds[Int(linkCap & 0xf)] : nil,
                    linkWidth: hasLink ? Int(linkCap >> 4 & 0x3f) : nil)
            case 0x11:
                let control = try v.u16(pointer + 2, "MSI-X control")
                caps.msix = PCICapabilities.MSIX(tableSize: Int(control & 0x7ff) + 1, enabled: control & 0x8000 != 0)
            case 0x13:
                caps.advancedFeaturesFlr = try v.u8(pointer + 3, "AF capabilities") & 0x2 != 0
            default:
                break
            }
            pointer = Int(try v.u8(pointer + 1, "next capability") & 0xfc)
        }
    }

    static func walkExtended(_ v: ByteView, into caps: inout PCICapabilities) throws(BinaryDecodingError) {
        var pointer = 0x100
        var seen = Set<Int>()
        while pointer != 0 {
            guard pointer >= 0x100, pointer + 4 <= v.count else {
                throw .badLength(what: "extended capability pointer", offset: pointer, length: 0)
            }
            guard seen.insert(pointer).inserted else { throw .loop(what: "extended capability list", offset: pointer) }
            let word = try v.u32(pointer, "extended capability header")
            if word == 0 || word == 0xffff_ffff { return } // no extended capabilities
            let id = Int(word & 0xffff)
            caps.list.append("ext:" + Hex.digits(id, count: 4) + "@" + String(pointer, radix: 16))
            switch id {
            case 0x000d:
                caps.acs = PCICapabilities.ACS(
                    capability: PCICapabilities.ACSBits(register: try v.u16(pointer + 4, "ACS capability")),
                    control: PCICapabilities.ACSBits(register: try v.u16(pointer + 6, "ACS control")))
            case 0x000f: caps.ats = true
            case 0x0013: caps.pri = true
            case 0x001b: caps.pasid = true
            case 0x0010:
                caps.sriov = PCICapabilities.SRIOV(totalVfs: Int(try v.u16(pointer + 0x0e, "SR-IOV TotalVFs")),
                                                   initialVfs: Int(try v.u16(pointer + 0x0c, "SR-IOV InitialVFs")))
            default:
                break
            }
            pointer = Int(word >> 20) & 0xffc
        }
    }
}
