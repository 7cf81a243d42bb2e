@testable import Analysis
import Foundation
import HostModel
import Testing

/// Real config space from the lab's machines where it shows what a test needs; laid out by hand from
/// PCI Local Bus 3.0 §6 and PCIe Base 4.0 §7 where no captured device has it (64-bit MSI, ACS on an
/// endpoint, a corrupted list).
@Suite struct PCIConfigDecoderTests {
    /// An endpoint: PM at 40h (No_Soft_Reset), MSI at 50h (4 vectors, 64-bit), PCIe at 70h
    /// (endpoint, FLR, MPS 256, 8 GT/s x4), MSI-X at B0h (table 16, enabled); extended: ACS at 100h
    /// (capability SV TB RR CR UF EC, control SV RR CR UF), SR-IOV at 140h (8 initial, 64 total).
    static func endpoint() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 4096)
        func put16(_ at: Int, _ v: Int) { c[at] = UInt8(v & 0xff); c[at + 1] = UInt8(v >> 8 & 0xff) }
        func put32(_ at: Int, _ v: Int) { put16(at, v & 0xffff); put16(at + 2, v >> 16) }
        put16(0, 0x8086); put16(2, 0x1539); put16(6, 0x0010)
        c[0x0b] = 0x02; c[0x34] = 0x40
        c[0x40] = 0x01; c[0x41] = 0x50; put16(0x44, 0x0008)
        c[0x50] = 0x05; c[0x51] = 0x70; put16(0x52, 0x0084)         // MMC 2 (4 vectors), 64-bit
        c[0x70] = 0x10; c[0x71] = 0xb0; put16(0x72, 0x0002)         // endpoint
        put32(0x74, 1 << 28 | 1); put32(0x7c, 3 | 4 << 4)
        c[0xb0] = 0x11; c[0xb1] = 0x00; put16(0xb2, 0x8000 | 15)
        put32(0x100, 0x000d | 1 << 16 | 0x140 << 20); put16(0x104, 0x3f); put16(0x106, 0x1d)
        put32(0x140, 0x0010 | 1 << 16); put16(0x14c, 8); put16(0x14e, 64)
        return c
    }

    @Test func decodesStandardAndExtendedLists() throws {
        let r = try PCIConfigDecoder.decode(Self.endpoint())
        #expect(r.error == nil)
        #expect(r.header.vendorId == 0x8086 && r.header.classCode == 0x020000 && r.header.hasCapabilities)
        let c = r.capabilities
        #expect(c.standardRead && c.extendedRead && c.configBytes == 4096)
        #expect(c.pmNoSoftReset == true)
        #expect(c.msi == PCICapabilities.MSI(vectors: 4, address64: true, enabled: false))
        #expect(c.express == PCICapabilities.Express(portType: "endpoint", flr: true, maxPayload: 256, linkSpeed: "8", linkWidth: 4))
        #expect(c.msix == PCICapabilities.MSIX(tableSize: 16, enabled: true))
        #expect(c.acs?.capability.text == "SV+ TB+ RR+ CR+ UF+ EC+ DT-")
        #expect(c.acs?.control.isolates == true && c.acs?.control.translationBlocking == false)
        #expect(c.sriov == PCICapabilities.SRIOV(totalVfs: 64, initialVfs: 8))
        #expect(c.list == ["std:01@40", "std:05@50", "std:10@70", "std:11@b0", "ext:000d@100", "ext:0010@140"])
    }

    /// Real config space read by Linux 6.1 in a lab machine (`scripts/lab --capture
    /// intel-iommu-sriov`: QEMU 7.2's nvme with `sriov_max_vfs=2` behind a PCIe root port, and
    /// that root port); see Tests/HostProbeTests/Fixtures/roots/lab-q35-intel-iommu-sriov/README.md.
    static func lab(_ address: String) throws -> [UInt8] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HostProbeTests/Fixtures/roots/lab-q35-intel-iommu-sriov/sys/bus/pci/devices/\(address)/config").path
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func decodesARealNVMeWithSRIOVAndItsRootPort() throws {
        let nvme = try PCIConfigDecoder.decode(Self.lab("0000:02:00.0"))
        #expect(nvme.error == nil)
        #expect(nvme.header.vendorId == 0x1b36 && nvme.header.deviceId == 0x0010 && nvme.header.classCode == 0x010802)
        let c = nvme.capabilities
        #expect(c.standardRead && c.extendedRead && c.configBytes == 4096)
        #expect(c.list == ["std:11@40", "std:10@80", "std:01@60", "ext:000e@100", "ext:0010@120"])
        #expect(c.express?.portType == "endpoint" && c.express?.flr == true)
        #expect(c.sriov == PCICapabilities.SRIOV(totalVfs: 2, initialVfs: 2))
        #expect(c.msix != nil && c.msi == nil && c.acs == nil)
        let port = try PCIConfigDecoder.decode(Self.lab("0000:00:10.0"))
        #expect(port.error == nil && port.header.hasCapabilities)
        #expect(port.capabilities.express?.portType == "root-port")
        #expect(port.capabilities.acs?.capability.text == "SV+ TB+ RR+ CR+ UF+ EC- DT+")
    }

    /// What a non-root reader gets: the header decodes, the capability list is unread (not absent).
    @Test func sixtyFourBytesLeaveCapabilitiesUnread() throws {
        let r = try PCIConfigDecoder.decode(Array(Self.lab("0000:02:00.0")[0..<64]))
        #expect(r.header.deviceId == 0x0010)
        #expect(!r.capabilities.standardRead && !r.capabilities.extendedRead)
        #expect(r.capabilities.msi == nil && r.capabilities.express == nil)
        let facts = PCIDeviceFacts(address: "0000:03:00.0", vendorId: nil, deviceId: nil, class: nil, name: nil,
                                   className: nil, iommuGroup: nil, driver: nil, numaNode: nil, header: r.header,
                                   capabilities: r.capabilities, resetMethods: nil, resetMethodsSource: nil)
        #expect(facts.flr == nil && facts.msi == nil && facts.msix == nil)
    }

    /// 256 bytes of a PCIe function: the kernel could not reach extended space, so ACS is unknown.
    @Test func conventionalSizeOfExpressDeviceLeavesExtendedUnread() throws {
        let r = try PCIConfigDecoder.decode(Array(Self.lab("0000:00:10.0")[0..<256]))
        #expect(r.capabilities.standardRead && !r.capabilities.extendedRead && r.capabilities.acs == nil)
    }

    @Test func loopsAndWildPointersAreErrorsThatKeepTheRest() throws {
        var loop = Self.endpoint()
        loop[0x51] = 0x40
        let r = try PCIConfigDecoder.decode(loop)
        #expect(r.error == .loop(what: "capability list", offset: 0x40))
        #expect(r.capabilities.pmNoSoftReset == true && r.capabilities.msi != nil)

        var wild = Self.endpoint()
        wild[0x34] = 0x20
        #expect(try PCIConfigDecoder.decode(wild).error == .badLength(what: "capability pointer", offset: 0x20, length: 0))

        var extLoop = Self.endpoint()
        extLoop[0x143] = 0x10   // SR-IOV's next pointer → 100h
        #expect(try PCIConfigDecoder.decode(extLoop).error == .loop(what: "extended capability list", offset: 0x100))

        #expect(throws: BinaryDecodingError.self) { try PCIConfigDecoder.decode(Array(Self.endpoint()[0..<63])) }
    }

    @Test func corruptedBytesNeverCrash() {
        let bytes = Self.endpoint()
        for i in 0..<0x180 {
            for value: UInt8 in [0x00, 0x40, 0xfc, 0xff] {
                var b = bytes
                b[i] = value
                _ = try? PCIConfigDecoder.decode(b)
            }
        }
    }
}
