import FoundationEssentials
import Glibc

/// The names pci.ids gives for the IDs of the functions present, found in one pass over the
/// file that keeps nothing else: libpci's first lookup parses and hashes the whole database
/// (about 40,000 entries, 25 M instructions per run; callgrind, issue 16) to answer a handful.
///
/// Reads the format as libpci's parser does (pciutils lib/names-parse.c): a vendor line is four
/// hex digits at the start of a line, its devices are indented by one tab; `C xx` opens a class,
/// its subclasses one tab in; deeper lines (subsystems, programming interfaces), other `X `
/// blocks and `#` comments are skipped; a name is what follows the ID and its blanks, trailing
/// blanks removed. The first entry for an ID wins (libpci refuses a file with duplicates).
/// Bounded: the file is read in fixed chunks, and a line longer than libpci's limit is skipped.
struct PCIIDsScan {
    /// The IDs to name.
    struct Query {
        var vendors: Set<UInt16> = []
        /// Vendor in the high 16 bits, device in the low.
        var devices: Set<UInt32> = []
        /// Base class in the high 8 bits, subclass in the low.
        var classes: Set<UInt16> = []
    }

    var vendors: [UInt16: String] = [:]
    var devices: [UInt32: String] = [:]
    var subclasses: [UInt16: String] = [:]
    var baseClasses: [UInt8: String] = [:]

    /// libpci's MAX_LINE.
    static let maxLine = 1024
    static let chunkSize = 64 << 10

    /// The class name as `pci_lookup_name(PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS)` gives it:
    /// the subclass's name, else the base class's with the class number (`Bridge [0680]`).
    func className(_ classCode: UInt16) -> String? {
        if let name = subclasses[classCode] { return name }
        let digits = String(classCode, radix: 16)
        return baseClasses[UInt8(classCode >> 8)].map { "\($0) [\(String(repeating: "0", count: 4 - digits.count) + digits)]" }
    }

    /// Scans the file at `path`; nil when it cannot be opened or read (no names, as with libpci).
    static func scan(path: String, for query: Query) -> PCIIDsScan? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var scanner = Scanner(query: query)
        var buffer = [UInt8](repeating: 0, count: chunkSize + maxLine)
        var carried = 0
        while !scanner.done {
            let count = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + carried, chunkSize)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            let end = carried + count
            carried = buffer.withUnsafeBufferPointer { buf in
                scanner.lines(UnsafeBufferPointer(rebasing: buf[0..<end]), final: count == 0)
            }
            if count == 0 { break }
            if carried > 0 {
                // The unfinished last line moves to the front; one longer than libpci's limit is dropped.
                if carried > maxLine {
                    scanner.skippingLine = true
                    carried = 0
                } else {
                    buffer.withUnsafeMutableBufferPointer { buf in
                        let start = end - carried
                        for i in 0..<carried { buf[i] = buf[start + i] }
                    }
                }
            }
        }
        return scanner.result
    }

    /// The line-by-line state of one scan.
    private struct Scanner {
        enum Block {
            case none, vendor(UInt16), classCode(UInt8), other
        }

        let query: Query
        var result = PCIIDsScan()
        /// The block the scan is in, and whether its entries can hold a wanted name (decided once
        /// when it opens: a set lookup on every line hashed 36,000 times a run; issue 16).
        var block = Block.none {
            didSet {
                switch block {
                case .vendor(let vendor):
                    inWantedBlock = deviceVendorBits.contains(vendor)
                    wantedDevices = inWantedBlock ? devicesByVendor[vendor] ?? [] : []
                case .classCode(let base): inWantedBlock = subclassBases.contains(base)
                case .none, .other: inWantedBlock = false
                }
            }
        }
        private(set) var inWantedBlock = false
        /// The wanted devices of the vendor block the scan is in: a few IDs, compared in turn
        /// (Intel's block alone has 2,500 device lines, each hashed for a set lookup before).
        private var wantedDevices: [UInt16] = []
        /// The rest of an over-long line is being skipped.
        var skippingLine = false
        /// The vendors and classes whose blocks hold a wanted device or subclass, and the wanted
        /// vendors, as bitmaps: every one of the 2,300 vendor lines is tested without hashing.
        let vendorBits: IDBits
        let deviceVendorBits: IDBits
        let devicesByVendor: [UInt16: [UInt16]]
        let subclassBases: Set<UInt8>
        var remaining: Int

        init(query: Query) {
            self.query = query
            vendorBits = IDBits(query.vendors)
            deviceVendorBits = IDBits(query.devices.map { UInt16($0 >> 16) })
            devicesByVendor = Dictionary(grouping: query.devices, by: { UInt16($0 >> 16) }).mapValues { $0.map { UInt16(truncatingIfNeeded: $0) } }
            subclassBases = Set(query.classes.map { UInt8($0 >> 8) })
            // Each wanted ID, and each base class (the fallback name of its subclasses).
            remaining = query.vendors.count + query.devices.count + query.classes.count + subclassBases.count
        }

        var done: Bool { remaining == 0 }

        /// Handles every complete line of `bytes` (all of it when `final`) and returns how many
        /// bytes at the end belong to a line not yet complete.
        mutating func lines(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool) -> Int {
            var start = 0
            while start < bytes.count, !done {
                let end: Int
                if let newline = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
                    end = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                } else if final {
                    end = bytes.count
                } else {
                    return bytes.count - start
                }
                if skippingLine {
                    skippingLine = false
                } else if end > start, bytes[start] == UInt8(ascii: "\t"), !inWantedBlock || (end > start + 1 && bytes[start + 1] == UInt8(ascii: "\t")) {
                    // An entry under a vendor or class with nothing wanted, or a subsystem or
                    // programming interface: most of the file, skipped on its first bytes.
                } else {
                    line(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                }
                start = end + 1
            }
            return 0
        }

        private mutating func line(_ raw: UnsafeBufferPointer<UInt8>) {
            var line = raw
            if let base = line.baseAddress, let cr = memchr(base, Int32(UInt8(ascii: "\r")), line.count) {
                line = UnsafeBufferPointer(rebasing: line[..<base.distance(to: cr.assumingMemoryBound(to: UInt8.self))])
            }
            guard let first = line.first(where: { !isBlank($0) }), first != UInt8(ascii: "#") else { return }
            var nest = 0
            while nest < line.count, line[nest] == UInt8(ascii: "\t") { nest += 1 }
            let rest = UnsafeBufferPointer(rebasing: line[nest...])
            switch nest {
            case 0:
                if rest.count >= 2, rest[1] == UInt8(ascii: " "), (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(rest[0]) {
                    if rest[0] == UInt8(ascii: "C"), let id = hex(rest, from: 2, digits: 2) {
                        block = .classCode(UInt8(id))
                        if subclassBases.contains(UInt8(id)), result.baseClasses[UInt8(id)] == nil,
                           let name = name(rest, after: 4) {
                            result.baseClasses[UInt8(id)] = name
                            remaining -= 1
                        }
                    } else {
                        block = .other
                    }
                } else if let id = hex(rest, from: 0, digits: 4) {
                    block = .vendor(UInt16(id))
                    if vendorBits.contains(UInt16(id)), result.vendors[UInt16(id)] == nil, let name = name(rest, after: 4) {
                        result.vendors[UInt16(id)] = name
                        remaining -= 1
                    }
                } else {
                    block = .none
                }
            case 1:
                switch block {
                case .vendor(let vendor) where inWantedBlock:
                    guard let id = hex(rest, from: 0, digits: 4), wantedDevices.contains(UInt16(id)) else { return }
                    let key = UInt32(vendor) << 16 | UInt32(id)
                    if result.devices[key] == nil, let name = name(rest, after: 4) {
                        result.devices[key] = name
                        remaining -= 1
                    }
                case .classCode(let base) where subclassBases.contains(base):
                    guard let id = hex(rest, from: 0, digits: 2) else { return }
                    let key = UInt16(base) << 8 | UInt16(id)
                    if query.classes.contains(key), result.subclasses[key] == nil, let name = name(rest, after: 2) {
                        result.subclasses[key] = name
                        remaining -= 1
                    }
                default: return
                }
            default: return
            }
        }

        private func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }

        /// `digits` hex digits at `from`, followed by a blank (as libpci requires).
        private func hex(_ text: UnsafeBufferPointer<UInt8>, from: Int, digits: Int) -> Int? {
            guard from + digits < text.count, isBlank(text[from + digits]) else { return nil }
            var value = 0
            for c in text[from..<from + digits] {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | Int(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | Int(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | Int(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
            }
            return value
        }

        /// The name after the ID (which ends at `after`) and its blanks; nil when there is none.
        private func name(_ text: UnsafeBufferPointer<UInt8>, after: Int) -> String? {
            var start = after
            while start < text.count, isBlank(text[start]) { start += 1 }
            var end = text.count
            while end > start, isBlank(text[end - 1]) { end -= 1 }
            guard end > start else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
        }
    }

    /// A set of 16-bit IDs as 65,536 bits (8 KiB): membership without hashing.
    struct IDBits {
        private var words = [UInt64](repeating: 0, count: 1024)

        init(_ ids: some Sequence<UInt16>) {
            for id in ids { words[Int(id >> 6)] |= 1 << UInt64(id & 63) }
        }

        func contains(_ id: UInt16) -> Bool { words[Int(id >> 6)] >> UInt64(id & 63) & 1 == 1 }
    }
}
