import Analysis
import Foundation
import HostModel
@testable import HostProbe
import Testing

/// Config space is read only as far as `PCIConfigDecoder` walks it (issue 16). These hold that the
/// part read decodes exactly as the whole file does, for every config space the repository holds
/// (captures of the lab's QEMU machines and of real hosts under Fixtures/roots) and for this
/// machine's own functions, and that it is a fraction of the bytes.
struct PCIConfigReachTests {
    static let roots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/roots")

    /// Every `sys/bus/pci/devices/*/config` under Fixtures/roots, as (tree, address).
    static let configFiles: [(tree: String, address: String)] = {
        var found: [(String, String)] = []
        let trees = (try? FileManager.default.contentsOfDirectory(atPath: roots.path))?.sorted() ?? []
        for tree in trees {
            let devices = roots.appendingPathComponent(tree).appendingPathComponent("sys/bus/pci/devices").path
            for address in (try? FileManager.default.contentsOfDirectory(atPath: devices))?.sorted() ?? []
            where FileManager.default.fileExists(atPath: devices + "/" + address + "/config") {
                found.append((tree, address))
            }
        }
        return found
    }()

    static func whole(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The decoding of what was read, and how many bytes that was.
    static func readInPart(root: HostRoot, address: String) throws -> (PCIConfigDecoder.Result?, BinaryDecodingError?, PartialBytes) {
        let evidence = root.readOnDemand("/sys/bus/pci/devices/\(address)/config", limit: PCIConfigReach.expressSize,
                                         initialSize: PCIConfigReach.standardSize, next: PCIConfigReach.next)
        let region = try #require(evidence.partial, "\(evidence.status) \(evidence.detail ?? "")")
        do throws(BinaryDecodingError) {
            return (try PCIConfigDecoder.decode(region), nil, region)
        } catch {
            return (nil, error, region)
        }
    }

    @Test func theRepositoryHoldsConfigSpacesToCompare() {
        #expect(Self.configFiles.count >= 150)
        #expect(Set(Self.configFiles.map(\.tree)).count >= 10)
    }

    @Test func everyCapturedConfigSpaceDecodesTheSameReadInPart() throws {
        var partBytes = 0, wholeBytes = 0
        for (tree, address) in Self.configFiles {
            let root = HostRoot(path: Self.roots.appendingPathComponent(tree).path, isLive: false)
            let file = root.path + "/sys/bus/pci/devices/\(address)/config"
            let bytes = try Self.whole(file)
            let (part, partError, region) = try Self.readInPart(root: root, address: address)
            // What the probe read before issue 16: 256 bytes, all 4,096 for a PCI Express function.
            let before = bytes.count > PCIConfigReach.standardSize
                && (try? PCIConfigDecoder.decode(Array(bytes.prefix(PCIConfigReach.standardSize))))?.capabilities.express == nil
                ? Array(bytes.prefix(PCIConfigReach.standardSize)) : bytes
            do throws(BinaryDecodingError) {
                let full = try PCIConfigDecoder.decode(before)
                #expect(part == full, "\(tree) \(address)")
            } catch {
                #expect(partError == error, "\(tree) \(address)")
            }
            if case .notRead? = part?.error { Issue.record("\(tree) \(address): \(part!.error!)") }
            #expect(region.count == before.count, "\(tree) \(address)")
            partBytes += region.readCount
            wholeBytes += before.count
        }
        // Dwords of the header and of each capability's registers, not the whole space.
        #expect(partBytes * 5 < wholeBytes, "\(partBytes) of \(wholeBytes) bytes")
    }

    /// The lab's q35 machine with SR-IOV (QEMU's nvme and e1000e behind PCIe root ports): the
    /// extended list (SR-IOV, ACS, ATS) is walked from a few dwords of 4 KiB.
    @Test func extendedCapabilitiesAreReachedFromAFewDwords() throws {
        let root = HostRoot(path: Self.roots.appendingPathComponent("lab-q35-intel-iommu-sriov").path, isLive: false)
        let addresses = Self.configFiles.filter { $0.tree == "lab-q35-intel-iommu-sriov" }.map(\.address)
        var sriov = 0
        for address in addresses {
            let (part, _, region) = try Self.readInPart(root: root, address: address)
            let caps = try #require(part?.capabilities)
            if caps.sriov != nil { sriov += 1 }
            if caps.express != nil {
                #expect(region.count == 4096, "\(address)")
                #expect(region.readCount <= 128, "\(address): \(region.readCount) bytes read")
            }
        }
        #expect(sriov >= 1)
    }

    /// Non-root readers get 64 bytes of a sysfs config file: the tree's short files end the region
    /// there, and the standard list is reported unread, as before.
    @Test func aShortFileEndsTheRegion() throws {
        let root = HostRoot(path: Self.roots.appendingPathComponent("nonroot-intel-desktop").path, isLive: false)
        let addresses = Self.configFiles.filter { $0.tree == "nonroot-intel-desktop" }.map(\.address)
        try #require(!addresses.isEmpty)
        var unread = 0
        for address in addresses {
            let (part, _, region) = try Self.readInPart(root: root, address: address)
            #expect(region.count == 64, "\(address)")
            if part?.capabilities.standardRead == false { unread += 1 }
        }
        #expect(unread >= 1)
    }

    /// This machine's own functions, through sysfs: config cycles the kernel makes now.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/sys/bus/pci/devices"), "needs root and PCI in sysfs"))
    func thisHostsFunctionsDecodeTheSameReadInPart() throws {
        let addresses = (try FileManager.default.contentsOfDirectory(atPath: "/sys/bus/pci/devices")).sorted()
        try #require(!addresses.isEmpty)
        for address in addresses {
            let bytes = try Self.whole("/sys/bus/pci/devices/\(address)/config")
            let (part, _, region) = try Self.readInPart(root: .live, address: address)
            let full = try PCIConfigDecoder.decode(Array(bytes.prefix(region.count)))
            #expect(part?.header == full.header, "\(address)")
            #expect(part?.capabilities == full.capabilities, "\(address)")
            #expect(region.readCount < bytes.count, "\(address)")
        }
    }

    /// A chunk is stored at its offset whatever the slice's own indices, and what falls outside
    /// the region is dropped.
    @Test func storedBytesLandAtTheirOffsetAndNoFurther() {
        let source: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66]
        var region = PartialBytes(count: 6)
        region.store(source[2..<4], at: 1)
        #expect(region.bytes == [0, 0x33, 0x44, 0, 0, 0] && region.read == [false, true, true, false, false, false])
        region.store(source[3...], at: 4)
        #expect(region.bytes == [0, 0x33, 0x44, 0, 0x44, 0x55] && region.readCount == 4)
        region.store(source[0..<2], at: -1)
        #expect(region.bytes[0] == 0x22 && region.read[0] && region.readCount == 5)
    }

    @Test func aRegionReadInPartSurvivesTheSnapshot() throws {
        var region = PartialBytes(count: 8)
        region.store([0xde, 0xad][...], at: 2)
        let evidence = BinaryEvidence(source: "/sys/bus/pci/devices/0000:00:01.0/config", partial: region)
        #expect(evidence.hex == "----dead--------")
        #expect(evidence.bytes == nil)
        let decoded = try JSONDecoder().decode(BinaryEvidence.self, from: JSONEncoder().encode(evidence))
        #expect(decoded.partial == region)
        // A hex digit paired with a dash is not a byte.
        #expect(BinaryEvidence(source: "x", status: .ok, hex: "-a").partial == nil)
        #expect(BinaryEvidence(source: "x", status: .ok, hex: "0a1b").partial == PartialBytes(bytes: [0x0a, 0x1b]))
    }

    /// A snapshot whose config hex is neither two digits nor `--` a byte says so, not "ok".
    @Test func malformedHexIsNamed() throws {
        let path = Self.roots.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/hosts/workplace-amd-epyc-kvm-pvm.json").path
        var snapshot = try OfflineLoader.load(paths: [path])
        var pci = try #require(snapshot.pci)
        pci.devices[1].config.hex = "-a" + String(repeating: "00", count: 255)
        snapshot.pci = pci
        let device = try #require(Assessor.assess(snapshot).facts.pci.devices.first { $0.address == pci.devices[1].address })
        #expect(device.errors.contains { $0.hasSuffix("/config: not hex bytes (two digits, or -- for an unread byte, each)") }, "\(device.errors)")
    }

    /// A hand-edited snapshot that lacks a byte the walk needs names it, instead of decoding zeros.
    @Test func anUnreadFieldIsNamedNotDecodedAsZero() throws {
        var region = PartialBytes(count: 256)
        region.store([0x86, 0x80, 0x57, 0x0d, 0, 0, 0x10, 0][...], at: 0)
        #expect(throws: BinaryDecodingError.notRead(what: "header type", offset: 0x0e, length: 1)) {
            try PCIConfigDecoder.decode(region)
        }
    }
}
