import Foundation
@testable import HostProbe
import Testing

/// The names `PCIIDsScan` finds in this machine's pci.ids are libpci's (`pci_lookup_name`, which
/// gave every name before issue 16), for every vendor, device and class the file lists and for IDs
/// it does not list.
@Suite struct PCINameTests {
    /// The uncompressed database libpci reads, if there is one.
    static let path: String? = PCINameDatabase()?.scanPath.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }

    /// Every vendor/device pair and class/subclass pair written in the file, read here with a
    /// plain split (no shared code with the scanner), plus unlisted IDs.
    static func listedIDs(_ path: String) throws -> [PCINameDatabase.IDs] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var ids: [PCINameDatabase.IDs] = []
        var vendor: Int?, base: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            if line.hasPrefix("C ") {
                vendor = nil
                base = Int(line.dropFirst(2).prefix(2), radix: 16)
                if let base { ids.append(.init(vendor: nil, device: nil, classCode: base << 8 | 0xEE)) } // unlisted subclass
            } else if line.hasPrefix("\t\t") {
                continue
            } else if line.hasPrefix("\t") {
                let id = Int(line.dropFirst().prefix(base == nil ? 4 : 2), radix: 16)
                if let vendor, let id { ids.append(.init(vendor: vendor, device: id, classCode: nil)) }
                if let base, let id { ids.append(.init(vendor: nil, device: nil, classCode: base << 8 | id)) }
            } else {
                base = nil
                vendor = Int(line.prefix(4), radix: 16)
                if let vendor { ids.append(.init(vendor: vendor, device: 0xFFFE, classCode: nil)) } // unlisted device
            }
        }
        return ids + [.init(vendor: 0xFFFE, device: 0x0001, classCode: 0xFEFE), .init(vendor: nil, device: nil, classCode: nil)]
    }

    @Test(.enabled(if: path != nil, "no uncompressed pci.ids where libpci looks"))
    func everyListedIDIsNamedAsLibpciNamesIt() throws {
        let db = try #require(PCINameDatabase())
        let ids = try Self.listedIDs(try #require(Self.path))
        #expect(ids.count > 15_000, "the whole database is compared")
        let scanned = db.names(ids)
        var differing = 0
        for (id, names) in zip(ids, scanned) {
            let reference = db.libpciNames(id)
            if names != reference {
                differing += 1
                if differing <= 5 { Issue.record("\(id): scanned \(names), libpci \(reference)") }
            }
        }
        #expect(differing == 0)
        #expect(scanned.contains { $0.className?.hasSuffix("]") == true }, "an unlisted subclass is named by its class, as libpci names it")
    }

    /// The scan reads the file in 64 KiB pieces and keeps nothing of the blocks it does not want
    /// (issue 16): wherever a read ends inside one of their lines, and when one of them is longer
    /// than libpci's 1,024-byte line limit, the wanted vendor, device and class after them are
    /// still found, and a line cut by a read is never taken for two. A made-up file: only its
    /// layout matters here.
    @Test func wantedEntriesAfterLongUnwantedBlocksAreFound() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pciids-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for shift in [0, 1, 7, 13, 29, 1031] {
            var text = "# made up\nffff  Unwanted vendor" + String(repeating: "x", count: shift) + "\n"
            for i in 0..<3000 {
                text += "\t" + String(format: "%04x", i) + "  Unwanted device \(i) of a long block\n"
                if i == 1700 { text += "\t\t1111 2222  " + String(repeating: "y", count: 2000) + "\n" }
            }
            text += "1234  Wanted vendor\n\tabcd  Wanted device\n\t\t1234 0001  Its subsystem\n"
            text += "C 02  Network controller\n\t00  Ethernet controller\n"
            let file = dir.appendingPathComponent("pci.ids.\(shift)")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let query = PCIIDsScan.Query(vendors: [0x1234], devices: [0x1234_ABCD], classes: [0x0200])
            let found = try #require(PCIIDsScan.scan(path: file.path, for: query), "shift \(shift)")
            #expect(found.vendors[0x1234] == "Wanted vendor", "shift \(shift)")
            #expect(found.devices[0x1234_ABCD] == "Wanted device", "shift \(shift)")
            #expect(found.className(0x0200) == "Ethernet controller", "shift \(shift)")
        }
        // The first read ends inside an unwanted device's line whose rest would read as a vendor
        // line of the wanted vendor: the line is carried whole into the next read and skipped.
        var text = "ffff  Unwanted vendor\n"
        while text.utf8.count < PCIIDsScan.chunkSize - 200 { text += "\t0000  Unwanted device\n" }
        text += "\t0001  " + String(repeating: "z", count: PCIIDsScan.chunkSize - text.utf8.count - 7) + "1234  Fake vendor\n"
        text += "1234  Wanted vendor\n"
        let file = dir.appendingPathComponent("pci.ids.cut")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let found = try #require(PCIIDsScan.scan(path: file.path, for: PCIIDsScan.Query(vendors: [0x1234])))
        #expect(found.vendors[0x1234] == "Wanted vendor")
    }

    @Test(.enabled(if: path != nil, "no uncompressed pci.ids where libpci looks"))
    func aFewPresentFunctionsAreNamedAsLibpciNamesThem() throws {
        let db = try #require(PCINameDatabase())
        let ids: [PCINameDatabase.IDs] = [.init(vendor: 0x8086, device: 0x1237, classCode: 0x0600),
                                          .init(vendor: 0x1af4, device: 0x1000, classCode: 0x0200)]
        #expect(db.names(ids) == ids.map(db.libpciNames))
    }
}
