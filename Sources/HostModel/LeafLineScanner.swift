/// The fast path of `CPUIDDumpParser`: recognises the one shape `cpuid -r` prints,
/// `0xLEAF[ 0xSUB]: eax=0x... ebx=0x... ecx=0x... edx=0x...` (spaces around, CR at the end),
/// from bytes, without building a String. It returns nil for anything else, including
/// lines `CPUIDDumpParser.parseLeafLine` would still accept (signs, tabs, non-ASCII), so
/// the parser falls back to that definition and the two can never disagree.
enum LeafLineScanner {
    static func scan(_ line: UnsafeBufferPointer<UInt8>) -> CPUIDLeaf? {
        var i = 0
        let n = line.count
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") }
        var end = n
        while end > 0 && isBlank(line[end - 1]) { end -= 1 }
        while i < end && isBlank(line[i]) { i += 1 }
        func spaces() -> Int {
            let from = i
            while i < end && line[i] == UInt8(ascii: " ") { i += 1 }
            return i - from
        }
        /// 1 to 16 hex digits (after `0x`, or `0x`/`0X`/none where `prefix` is optional) that fit 32 bits.
        func hex(requirePrefix: Bool) -> UInt32? {
            if i + 1 < end && line[i] == UInt8(ascii: "0") && (line[i + 1] == UInt8(ascii: "x") || (!requirePrefix && line[i + 1] == UInt8(ascii: "X"))) {
                i += 2
            } else if requirePrefix {
                return nil
            }
            var value: UInt64 = 0
            var digits = 0
            while i < end, let d = Hex.digit(line[i]) {
                value = value << 4 | UInt64(d)
                digits += 1
                i += 1
                if digits > 16 { return nil }
            }
            guard digits > 0, value <= UInt64(UInt32.max) else { return nil }
            return UInt32(value)
        }
        guard let leaf = hex(requirePrefix: true) else { return nil }
        var subleaf: UInt32 = 0
        if spaces() > 0 && i < end && line[i] != UInt8(ascii: ":") {
            guard let s = hex(requirePrefix: true) else { return nil }
            subleaf = s
            _ = spaces()
        }
        guard i < end && line[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        var regs: (UInt32?, UInt32?, UInt32?, UInt32?) = (nil, nil, nil, nil)
        while true {
            _ = spaces()
            if i == end { break }
            guard i + 4 <= end, line[i] == UInt8(ascii: "e"), line[i + 2] == UInt8(ascii: "x"), line[i + 3] == UInt8(ascii: "=") else { return nil }
            let name = line[i + 1]
            i += 4
            guard let value = hex(requirePrefix: false), i == end || line[i] == UInt8(ascii: " ") else { return nil }
            switch name {
            case UInt8(ascii: "a") where regs.0 == nil: regs.0 = value
            case UInt8(ascii: "b") where regs.1 == nil: regs.1 = value
            case UInt8(ascii: "c") where regs.2 == nil: regs.2 = value
            case UInt8(ascii: "d") where regs.3 == nil: regs.3 = value
            default: return nil
            }
        }
        guard let eax = regs.0, let ebx = regs.1, let ecx = regs.2, let edx = regs.3 else { return nil }
        return CPUIDLeaf(leaf: leaf, subleaf: subleaf, eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }
}
