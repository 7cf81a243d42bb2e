/// `lspci` output pasted from a machine virtcheck cannot run on: the hex dumps (`-x`, `-xxx`,
/// `-xxxx`: config space itself, 64, 256 or 4096 bytes per function) and the verbose listings
/// (`-v`, `-vv`, `-vvv`, with `-nn`, `-k` or `-D`): per function its header line, then indented
/// lines. Both start each function with the same header line (`00:1f.0 ISA bridge [0601]: Intel
/// Corporation ... [8086:2918] (rev 02)`). Plain `lspci` (header lines only) says nothing the rules
/// use and is not recognised. Nothing is guessed: a verbose block keeps its lines verbatim and
/// Analysis (`LspciCapabilityDecoder`) reads them; a dump's bytes are decoded like sysfs `config`.
public enum LspciParser {
    /// Which `lspci` output a paste is.
    public enum Kind: String, Sendable, Hashable {
        /// `lspci -x`/`-xxx`/`-xxxx`: hex lines only.
        case hexDump = "lspci -xxxx"
        /// `lspci -v`/`-vv`/`-vvv`: indented detail lines (any hex lines with them are kept too).
        case verbose = "lspci -vvv"
    }

    public struct Device: Sendable, Hashable {
        /// As sysfs names it: `0000:00:1f.0` (lspci leaves out domain 0000).
        public var address: String
        /// `ISA bridge`, as lspci names the class.
        public var className: String
        /// The text after the class: vendor and device names as lspci printed them (without the
        /// `[vvvv:dddd]` IDs and `(rev ..)`).
        public var name: String
        /// From `-nn`: `[0601]` after the class and `[8086:2918]` after the name; nil without `-nn`.
        public var classCode: Int?
        public var vendorId: Int?
        public var deviceId: Int?
        /// Config space from the hex lines (64, 256 or 4096 bytes); nil when the paste has none.
        public var config: [UInt8]?
        /// The indented lines, verbatim without the line break (empty for a bare hex dump).
        public var lines: [String]

        /// The block as it was pasted: the header line, then its lines.
        public var text: String { ([header] + lines).joined(separator: "\n") }
        public var header: String

        /// `Kernel driver in use: vfio-pci` (`-k`); nil when no driver is bound or `-k` was not given.
        public var driver: String? { value("Kernel driver in use:") }

        /// `IOMMU group: 13` (`-vv`), or `IOMMU group 13` in `-v`'s `Flags:` line; nil when not shown.
        public var iommuGroup: String? {
            if let group = value("IOMMU group:") { return group }
            guard let flags = value("Flags:"), let range = flags.firstRange(of: "IOMMU group ") else { return nil }
            let digits = flags[range.upperBound...].prefix { $0.isNumber }
            return digits.isEmpty ? nil : String(digits)
        }

        /// The rest of the first top-level indented line starting with `key`, trimmed.
        func value(_ key: String) -> String? {
            for line in lines {
                let trimmed = Substring(line).trimmingWhitespace()
                if trimmed.hasPrefix(key) { return String(trimmed.dropFirst(key.count).trimmingWhitespace()) }
            }
            return nil
        }
    }

    /// The bridge classes by the names lspci prints without `-nn` (pci.ids class 06): bridges stay
    /// with the host, so a plain `-vvv` paste must still tell them from devices to assign.
    public static let bridgeClasses: [String: Int] = [
        "Host bridge": 0x0600, "ISA bridge": 0x0601, "EISA bridge": 0x0602, "MicroChannel bridge": 0x0603,
        "PCI bridge": 0x0604, "PCMCIA bridge": 0x0605, "NuBus bridge": 0x0606, "CardBus bridge": 0x0607,
        "RACEway bridge": 0x0608, "Semi-transparent PCI-to-PCI bridge": 0x0609, "InfiniBand to PCI host bridge": 0x060a,
        "Bridge": 0x0680,
    ]

    /// Lines longer than this are not lspci output (its longest, a VPD string, stays far below).
    public static let maxLineLength = 4096
    /// Config space sizes lspci prints: 64 (`-x` or no root), 256 (`-xxx`), 4096 (`-xxxx`).
    public static let dumpSizes: Set<Int> = [64, 256, 4096]

    /// The kind, when the text starts with an lspci function header followed by a hex line at
    /// offset 00 (a dump) or an indented line (a verbose listing); nil otherwise.
    public static func kind(of head: Substring) -> Kind? {
        var lines = head.inputLines(maxSplits: 4, omittingEmptySubsequences: true).prefix(3)
        if let first = lines.first, isPrompt(first) { lines = lines.dropFirst() }
        lines = lines.prefix(2)
        guard lines.count == 2, headerAddress(lines.first!) != nil else { return nil }
        let second = lines.last!
        if let (offset, _) = hexLine(second), offset == 0 { return .hexDump }
        if second.first == "\t" || second.hasPrefix("        ") { return .verbose }
        return nil
    }

    public static func parse(_ text: String, source: String) throws(InputError) -> (kind: Kind, devices: [Device]) {
        guard let kind = kind(of: text.prefix(4096)) else {
            throw InputError(path: source, message: "not `lspci -vvv` or `lspci -xxxx` output")
        }
        var devices: [Device] = []
        var seen = Set<String>()
        var current: Device?
        var lineNumber = 0
        func finish() throws(InputError) {
            guard let d = current else { return }
            if let bytes = d.config, !dumpSizes.contains(bytes.count) {
                throw InputError(path: source, line: lineNumber, message: "\(d.address): \(bytes.count) bytes of config space; lspci prints 64, 256 or 4096")
            }
            if kind == .hexDump, d.config == nil {
                throw InputError(path: source, line: lineNumber, message: "\(d.address): no hex lines under the function in an `lspci -x` dump")
            }
            devices.append(d)
            current = nil
        }
        for raw in text.inputLines(omittingEmptySubsequences: false) {
            lineNumber += 1
            guard raw.utf8.count <= maxLineLength else {
                throw InputError(path: source, line: lineNumber, message: "line of \(raw.utf8.count) bytes; lspci lines are shorter than \(maxLineLength)")
            }
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if line.trimmingWhitespace().isEmpty { continue }
            if let address = headerAddress(line) {
                try finish()
                guard devices.count < InputLimits.maxPCIFunctions else {
                    throw InputError(path: source, line: lineNumber, message: "more than \(InputLimits.maxPCIFunctions) PCI functions; one host has fewer")
                }
                guard seen.insert(address).inserted else {
                    throw InputError(path: source, line: lineNumber, message: "\(address) is listed twice; give one lspci run")
                }
                current = device(header: line, address: address)
                continue
            }
            if current == nil, devices.isEmpty, isPrompt(line) { continue }
            guard current != nil else {
                throw InputError(path: source, line: lineNumber, message: "not lspci output: \(InputText.excerpt(line))")
            }
            if let (offset, bytes) = hexLine(line) {
                let have = current!.config?.count ?? 0
                guard offset == have else {
                    throw InputError(path: source, line: lineNumber, message: "\(current!.address): hex line at offset \(String(offset, radix: 16)) after \(have) bytes; lspci prints them in order")
                }
                guard have + bytes.count <= 4096 else {
                    throw InputError(path: source, line: lineNumber, message: "\(current!.address): more than 4096 bytes of config space")
                }
                current!.config = (current!.config ?? []) + bytes
            } else if kind == .verbose, line.first == "\t" || line.hasPrefix(" ") {
                current!.lines.append(String(line))
            } else {
                throw InputError(path: source, line: lineNumber, message: "not \(kind.rawValue) output: \(InputText.excerpt(line))")
            }
        }
        try finish()
        return (kind, devices)
    }

    /// The shell prompt and command a paste often starts with (`alex@duo > lspci -nnkq`,
    /// `$ sudo lspci -vvv`): `lspci` with only options after it, at the start or after a space,
    /// `$`, `#` or `>`.
    static func isPrompt(_ line: Substring) -> Bool {
        guard let range = line.firstRange(of: "lspci") else { return false }
        let before = line[..<range.lowerBound].last
        guard before == nil || [" ", "$", "#", ">"].contains(before!) else { return false }
        return line[range.upperBound...].split(ascii: " ").allSatisfy { $0.hasPrefix("-") && $0.count > 1 }
    }

    /// `[dddd:]bb:dd.f ` at the start of an unindented line: the sysfs address (domain 0000 added).
    static func headerAddress(_ line: Substring) -> String? {
        let chars = Array(line.prefix(20).utf8)
        func hex(_ i: Int) -> Bool { i < chars.count && Character(Unicode.Scalar(chars[i])).isHexDigit }
        var start = 0
        var domain = "0000"
        // A domain is 4 to 8 hex digits followed by ':' (VMD domains are 10000 and up).
        if let colon = chars.firstIndex(of: UInt8(ascii: ":")), colon >= 4, colon <= 8, (0..<colon).allSatisfy(hex),
           colon + 8 <= chars.count, chars[colon + 3] == UInt8(ascii: ":") {
            domain = String(decoding: chars[0..<colon], as: UTF8.self).lowercased()
            start = colon + 1
        }
        guard hex(start), hex(start + 1), start + 7 < chars.count, chars[start + 2] == UInt8(ascii: ":"),
              hex(start + 3), hex(start + 4), chars[start + 5] == UInt8(ascii: "."),
              (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(chars[start + 6]), chars[start + 7] == UInt8(ascii: " ") else { return nil }
        return domain + ":" + String(decoding: chars[start..<(start + 7)], as: UTF8.self).lowercased()
    }

    /// `f0: 00 11 ... ff`: the offset and its 16 bytes.
    static func hexLine(_ line: Substring) -> (Int, [UInt8])? {
        let parts = line.split(ascii: " ")
        guard parts.count == 17, let label = parts.first, label.hasSuffix(":"), (3...4).contains(label.count),
              let offset = Int(label.dropLast(), radix: 16), offset % 16 == 0 else { return nil }
        var bytes: [UInt8] = []
        for part in parts.dropFirst() {
            guard part.count == 2, let b = UInt8(part, radix: 16) else { return nil }
            bytes.append(b)
        }
        return (offset, bytes)
    }

    /// Class name, `-nn` IDs and names from the header line.
    static func device(header: Substring, address: String) -> Device {
        var rest = header.drop { $0 != " " }.dropFirst()
        var className = ""
        var classCode: Int?
        if let colon = rest.firstRange(of: ": ") {
            className = String(rest[..<colon.lowerBound])
            rest = rest[colon.upperBound...]
            // `ISA bridge [0601]`
            if className.hasSuffix("]"), let open = className.lastIndex(of: "["),
               let code = Int(className[className.index(after: open)..<className.index(before: className.endIndex)], radix: 16),
               className.distance(from: open, to: className.endIndex) == 6 {
                classCode = code
                className = String(className[..<open]).trimmed()
            }
        }
        var name = String(rest)
        if let rev = name.firstRange(of: " (rev ") { name = String(name[..<rev.lowerBound]) }
        if let prog = name.firstRange(of: " (prog-if ") { name = String(name[..<prog.lowerBound]) }
        var vendorId: Int?, deviceId: Int?
        // `... LPC Interface Controller [8086:2918]`
        if name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
            let ids = name[name.index(after: open)..<name.index(before: name.endIndex)].split(ascii: ":")
            if ids.count == 2, ids.allSatisfy({ $0.count == 4 }), let v = Int(ids[0], radix: 16), let d = Int(ids[1], radix: 16) {
                vendorId = v
                deviceId = d
                name = String(name[..<open]).trimmed()
            }
        }
        return Device(address: address, className: className, name: name, classCode: classCode ?? bridgeClasses[className], vendorId: vendorId,
                      deviceId: deviceId, config: nil, lines: [], header: String(header))
    }
}
