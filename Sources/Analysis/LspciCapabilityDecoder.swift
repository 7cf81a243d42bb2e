import HostModel

/// Reads what a pasted `lspci -vv`/`-vvv` block says about a function's capabilities, as lspci
/// printed them from config space (pciutils ls-caps.c, ls-ecaps.c): no byte is made up. What the
/// text cannot show stays unknown, the way `PCIConfigDecoder` treats bytes it could not read:
/// - `Capabilities: <access denied>` (lspci without root), or `-v` alone (no `Control:` line and
///   no `DevCap:` detail): the standard list is unread, so FLR and MSI are unknown, not absent;
/// - a PCIe function with no extended capability line (`[100 v1] ...`): lspci shows them only when
///   it could read 4096 bytes, so ACS, SR-IOV, ATS are unknown, not absent.
/// Each capability found keeps the line it came from (`lspci -vvv: 01:00.0 DevCap FLReset+`).
public enum LspciCapabilityDecoder {
    public struct Result: Sendable, Hashable {
        public var capabilities: PCICapabilities
        /// `Bus: primary=00, secondary=01, subordinate=01` of a bridge: places functions under it.
        public var secondaryBus: Int?
    }

    /// PCI capability IDs by the name lspci prints (PCI Code and ID Assignment Spec §2, §3), for
    /// `capabilities.list`; a name not here is listed as `??`.
    static let standardIds: [(String, Int)] = [
        ("Power Management", 0x01), ("AGP", 0x02), ("Vital Product Data", 0x03), ("Slot ID", 0x04), ("MSI:", 0x05),
        ("HyperTransport", 0x08), ("Vendor Specific", 0x09), ("Debug port", 0x0a), ("PCI-X", 0x07),
        ("Subsystem", 0x0d), ("Express", 0x10), ("MSI-X", 0x11), ("SATA", 0x12), ("PCI Advanced Features", 0x13),
        ("Enhanced Allocation", 0x14), ("Bridge subsystem", 0x0d),
    ]
    static let extendedIds: [(String, Int)] = [
        ("Advanced Error Reporting", 0x0001), ("Virtual Channel", 0x0002), ("Device Serial Number", 0x0003),
        ("Power Budgeting", 0x0004), ("Root Complex Link", 0x0005), ("Vendor Specific", 0x000b),
        ("Access Control Services", 0x000d), ("Alternative Routing-ID", 0x000e), ("Address Translation Service", 0x000f),
        ("Single Root I/O Virtualization", 0x0010), ("Page Request Interface", 0x0013), ("Resizable BAR", 0x0015),
        ("Latency Tolerance Reporting", 0x0018), ("Secondary PCI Express", 0x0019), ("Process Address Space ID", 0x001b),
        ("L1 PM Substates", 0x001e), ("Precision Time Measurement", 0x001f), ("Data Link Feature", 0x0025),
        ("Physical Layer 16.0 GT/s", 0x0026), ("Lane Margining", 0x0027), ("Designated Vendor-Specific", 0x0023),
        ("Downstream Port Containment", 0x001d), ("Transaction Processing Hints", 0x0017),
    ]
    /// lspci's names for the PCIe Device/Port Type (ls-caps.c cap_express), mapped to
    /// `PCICapabilities.Express.portType`; the longer names come first, since they contain shorter ones.
    static let portTypes: [(String, String)] = [
        ("Root Complex Integrated Endpoint", "rc-integrated-endpoint"), ("Root Complex Event Collector", "rc-event-collector"),
        ("Legacy Endpoint", "legacy-endpoint"), ("Endpoint", "endpoint"), ("Root Port", "root-port"),
        ("Upstream Port", "upstream-port"), ("Downstream Port", "downstream-port"),
        ("PCI-Express to PCI/PCI-X Bridge", "pcie-to-pci-bridge"), ("PCI/PCI-X to PCI-Express Bridge", "pci-to-pcie-bridge"),
    ]

    /// - Parameter label: how the lines are cited, `lspci -vvv: 01:00.0`.
    public static func decode(_ text: String, label: String) -> Result {
        let lines = text.inputLines(omittingEmptySubsequences: true).dropFirst().map(String.init)
        var caps = PCICapabilities(configBytes: 0, standardRead: false, extendedRead: false, lines: [])
        var secondary: Int?
        func cite(_ what: String) { caps.lines?.append("\(label) \(what)") }
        let detailed = lines.contains { Substring($0).trimmingWhitespace().hasPrefix("Control:") }
        let denied = lines.contains { $0.contains("Capabilities: <access denied>") }
        caps.standardRead = detailed && !denied
        var sawExtended = false
        var expressDetail = true

        // Group each `Capabilities:` line with the deeper-indented lines under it.
        var blocks: [(head: Substring, body: [Substring])] = []
        for line in lines {
            let trimmed = Substring(line).trimmingWhitespace()
            if trimmed.hasPrefix("Bus: "), let range = trimmed.firstRange(of: "secondary=") {
                secondary = Int(trimmed[range.upperBound...].prefix(2), radix: 16)
            }
            if trimmed.hasPrefix("Capabilities: [") {
                blocks.append((trimmed, []))
            } else if !blocks.isEmpty, indent(line) > 1 {
                blocks[blocks.count - 1].body.append(trimmed)
            } else if !blocks.isEmpty {
                blocks.append(("", []))
            }
        }
        for (head, body) in blocks where !head.isEmpty {
            guard let close = head.firstIndex(of: "]") else { continue }
            let bracket = head[head.index(head.startIndex, offsetBy: "Capabilities: [".count)..<close]
            let name = head[head.index(after: close)...].trimmingWhitespace()
            guard let offset = Int(bracket.split(ascii: " ").first ?? "", radix: 16) else { continue }
            let extended = offset >= 0x100
            if extended { sawExtended = true }
            let table = extended ? extendedIds : standardIds
            let id = table.first { name.hasPrefix($0.0) }?.1
            caps.list.append((extended ? "ext:" : "std:") + (id.map { Hex.digits($0, count: extended ? 4 : 2) } ?? (extended ? "????" : "??"))
                             + "@" + String(offset, radix: 16))
            switch (extended, id) {
            case (false, 0x01?):
                if let status = body.first(where: { $0.hasPrefix("Status:") }), let flag = flag(status, "NoSoftRst") {
                    caps.pmNoSoftReset = flag
                    cite("PM Status NoSoftRst\(flag ? "+" : "-")")
                }
            case (false, 0x05?):
                // `MSI: Enable+ Count=1/32 Maskable+ 64bit+`: vectors capable after the slash.
                let count = field(name, "Count=").flatMap { $0.split(ascii: "/").last }.flatMap { Int($0) }
                if let count {
                    caps.msi = PCICapabilities.MSI(vectors: count, address64: flag(name, "64bit") ?? false, enabled: flag(name, "Enable") ?? false)
                    cite("MSI: \(name.dropFirst(4).trimmingWhitespace())")
                }
            case (false, 0x11?):
                if let count = field(name, "Count=").flatMap({ Int($0) }) {
                    caps.msix = PCICapabilities.MSIX(tableSize: count, enabled: flag(name, "Enable") ?? false)
                    cite("MSI-X: Count=\(count)")
                }
            case (false, 0x13?):
                if let af = body.first(where: { $0.hasPrefix("AFCap:") }), let flr = flag(af, "FLR") {
                    caps.advancedFeaturesFlr = flr
                    cite("AFCap FLR\(flr ? "+" : "-")")
                }
            case (false, 0x10?):
                let type = portTypes.first { name.contains($0.0) }?.1 ?? "type-unknown"
                let devCap = devCapText(body)
                let link = body.first { $0.hasPrefix("LnkCap:") }
                // lspci prints FLReset only for endpoints (ls-caps.c cap_express_dev); ports have no FLR.
                let endpoint = ["endpoint", "legacy-endpoint", "rc-integrated-endpoint"].contains(type)
                guard let devCap, !endpoint || flag(devCap, "FLReset") != nil else { expressDetail = false; break }
                let flr = flag(devCap, "FLReset") ?? false
                let payload = field(devCap, "MaxPayload ").flatMap { Int($0) } ?? 128
                let speed = link.flatMap { field($0, "Speed ") }.map { String($0).replacing("GT/s,", with: "").replacing("GT/s", with: "") }
                let width = link.flatMap { field($0, "Width x") }.flatMap { Int($0.filter(\.isNumber)) }
                caps.express = PCICapabilities.Express(portType: type, flr: flr, maxPayload: payload,
                                                       linkSpeed: type == "rc-integrated-endpoint" ? nil : speed, linkWidth: width)
                cite("Express \(name.split(ascii: " ").dropFirst(2).joined(separator: " "))")
                if endpoint { cite("DevCap FLReset\(flr ? "+" : "-")") }
            case (true, 0x000d?):
                let cap = body.first { $0.hasPrefix("ACSCap:") }.map(acsBits)
                let ctl = body.first { $0.hasPrefix("ACSCtl:") }.map(acsBits)
                if let cap, let ctl {
                    caps.acs = PCICapabilities.ACS(capability: PCICapabilities.ACSBits(register: cap),
                                                   control: PCICapabilities.ACSBits(register: ctl))
                    cite("ACSCtl \(PCICapabilities.ACSBits(register: ctl).text)")
                }
            case (true, 0x000f?): caps.ats = true; cite("Address Translation Service (ATS)")
            case (true, 0x0013?): caps.pri = true; cite("Page Request Interface (PRI)")
            case (true, 0x001b?): caps.pasid = true; cite("Process Address Space ID (PASID)")
            case (true, 0x0010?):
                // `Initial VFs: 8, Total VFs: 8, Number of VFs: 0, Function Dependency Link: 00`
                if let vfs = body.first(where: { $0.hasPrefix("Initial VFs:") }),
                   let initial = field(vfs, "Initial VFs: ").flatMap({ Int($0.filter(\.isNumber)) }),
                   let total = field(vfs, "Total VFs: ").flatMap({ Int($0.filter(\.isNumber)) }) {
                    caps.sriov = PCICapabilities.SRIOV(totalVfs: total, initialVfs: initial)
                    cite("SR-IOV Initial VFs: \(initial), Total VFs: \(total)")
                }
            default:
                break
            }
        }
        if !expressDetail { caps.standardRead = false }
        caps.extendedRead = caps.standardRead && (caps.express == nil || sawExtended)
        caps.configBytes = caps.extendedRead && caps.express != nil ? 4096 : caps.standardRead ? 256 : 64
        return Result(capabilities: caps, secondaryBus: secondary)
    }

    /// Tabs before the text (lspci indents a capability's detail one tab deeper than the capability).
    static func indent(_ line: String) -> Int {
        let tabs = line.prefix { $0 == "\t" }.count
        return tabs > 0 ? tabs : line.prefix { $0 == " " }.count / 8
    }

    /// `DevCap:` and its continuation line (`ExtTag+ ... FLReset+ ...`), which lspci puts one tab deeper.
    static func devCapText(_ body: [Substring]) -> Substring? {
        guard let start = body.firstIndex(where: { $0.hasPrefix("DevCap:") }) else { return nil }
        var text = body[start]
        if start + 1 < body.count, !body[start + 1].contains(":") || body[start + 1].hasPrefix("ExtTag") {
            text = Substring(text + " " + body[start + 1])
        }
        return text
    }

    /// `Name+` → true, `Name-` → false, as a whole word; nil when absent.
    static func flag(_ text: Substring, _ name: String) -> Bool? {
        for word in text.split(asciiWhere: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ",") }) where word.count == name.count + 1 && word.hasPrefix(name) {
            if word.last == "+" { return true }
            if word.last == "-" { return false }
        }
        return nil
    }

    /// The value after `key` up to the next space or comma.
    static func field(_ text: Substring, _ key: String) -> Substring? {
        guard let range = text.firstRange(of: key) else { return nil }
        let value = text[range.upperBound...].prefix { $0 != " " && $0 != "," && $0 != "\t" }
        return value.isEmpty ? nil : value
    }

    /// `ACSCap: SrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-`
    /// back to the register bits (PCIe Base 4.0 §7.7.8.2), in lspci's order (ls-ecaps.c cap_acs).
    static func acsBits(_ line: Substring) -> UInt16 {
        let names = ["SrcValid", "TransBlk", "ReqRedir", "CmpltRedir", "UpstreamFwd", "EgressCtrl", "DirectTrans"]
        var value: UInt16 = 0
        for (bit, name) in names.enumerated() where flag(line, name) == true { value |= 1 << bit }
        return value
    }
}
