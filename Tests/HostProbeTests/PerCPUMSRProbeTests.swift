import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// The live probe reads the declared MSRs on every online CPU (here through a `--root` tree whose
/// dev/cpu/N/msr are sparse files at the MSR offsets, the same pread path as /dev/cpu/N/msr), and
/// stops at its own deadline. Before, it read CPU 0 only.
struct PerCPUMSRProbeTests {
    static let plan = RuleCatalogue.builtIn.evidencePlan
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../AnalysisTests/Fixtures/msr-per-cpu").standardized

    /// A tree of `cpus` CPUs whose MSRs come from an MSR listing (Fixtures/msr-per-cpu) and whose
    /// CPUID is the listing's CPU's dump.
    static func tree(listing: String, cpuid: String, online: String) throws -> String {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("virtcheck-msr-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/sys/devices/system/cpu", withIntermediateDirectories: true)
        try online.write(toFile: dir + "/sys/devices/system/cpu/online", atomically: true, encoding: .utf8)
        try fm.copyItem(atPath: fixtures.appendingPathComponent(cpuid).path, toPath: dir + "/cpuid-r.txt")
        let evidence = try MSRListingParser.parse(try String(contentsOf: fixtures.appendingPathComponent(listing), encoding: .utf8), source: listing)
        for cpu in evidence.cpus {
            try fm.createDirectory(atPath: dir + "/dev/cpu/\(cpu.cpu)", withIntermediateDirectories: true)
            let size = Int(cpu.reads.map(\.index).max() ?? 0) + 8
            var bytes = [UInt8](repeating: 0, count: size)
            for read in cpu.reads {
                guard let value = read.value else { continue }
                for i in 0..<8 { bytes[Int(read.index) + i] = UInt8((value >> (8 * UInt64(i))) & 0xFF) }
            }
            #expect(fm.createFile(atPath: dir + "/dev/cpu/\(cpu.cpu)/msr", contents: Data(bytes)))
        }
        return dir
    }

    /// Four online CPUs, CPU 3 with VT-x left off by firmware (edited KX-6000G values): every CPU
    /// is read and CPU 3 is named.
    @Test func everyOnlineCPUIsReadAndTheOddOneNamed() throws {
        let dir = try Self.tree(listing: "kx6000-cpu3-vmx-off.txt", cpuid: "kx6000-cpuid.txt", online: "0-3\n")
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: dir, isLive: false), options: .init(runGuest: false, plan: Self.plan))
        #expect(snapshot.msrs?.cpus.map(\.cpu) == [0, 1, 2, 3])
        #expect(snapshot.msrs?.cpus.allSatisfy { $0.reads.map(\.index) == Self.plan.msrs } == true)
        let f = try #require(Assessor.assess(snapshot).findings.first { $0.id == "cpu.vmx.enabled-by-firmware" })
        #expect(f.status == .fail)
        #expect(f.summary.contains("disabled on CPU 3 "))
    }

    /// TDX's SEAMRR enabled on CPU 0 (EvidenceDeclarationTests' tree: a real Xeon 8480 cpuinfo and a
    /// hand-set IA32_SEAMRR_PHYS_MASK) and not on CPU 1, whose msr file is all zero: cc.tdx fails
    /// and names CPU 1. Before, CPU 0's enabled SEAMRR passed it.
    @Test func seamrrOnPartOfTheCPUsFailsTDX() throws {
        let dir = try EvidenceDeclarationTests.tdxTree()
        try "0-1\n".write(toFile: dir + "/sys/devices/system/cpu/online", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/dev/cpu/1", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/dev/cpu/1/msr", contents: Data(count: 0x1401 + 8)))
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: dir, isLive: false), options: .init(runGuest: false, plan: Self.plan))
        let tdx = try #require(Assessor.assess(snapshot).findings.first { $0.id == "cc.tdx" })
        #expect(tdx.status == .fail)
        #expect(tdx.summary == "SEAMRR is enabled on CPU 0 but not on CPU 1: firmware set up TDX on part of the host only.")
    }

    /// No msr driver (no dev/cpu/0/msr): one record says so, not one per CPU of a large host.
    @Test func aMissingDriverIsRecordedOnce() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("virtcheck-msr-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        let msrs = MSRReader.read(root: HostRoot(path: dir, isLive: false), cpus: Array(0..<8192), indices: Self.plan.msrs)
        #expect(msrs.cpus.count == 1)
        #expect(msrs.cpus.first?.reads.allSatisfy { $0.status == .absent } == true)
    }

    /// Past its deadline the reader stops; the CPUs it did not reach are recorded as not read
    /// (virtcheck's own limit), which the firmware rules turn into unknown, not pass.
    @Test func theDeadlineLeavesTheRestUnread() throws {
        let dir = try Self.tree(listing: "kx6000-4cpus.txt", cpuid: "kx6000-cpuid.txt", online: "0-3\n")
        let msrs = MSRReader.read(root: HostRoot(path: dir, isLive: false), cpus: [0, 1, 2, 3], indices: [0x3A], deadline: .zero)
        #expect(msrs.cpus.map(\.cpu) == [0, 1, 2, 3])
        #expect(msrs.cpus.allSatisfy { $0.reads.allSatisfy { $0.status == .error && $0.detail?.contains("own deadline") == true } })
    }
}
