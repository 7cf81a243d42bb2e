import CShims
import Foundation
import HostModel
import Testing
import VirtCheckData
@testable import HostProbe

@Suite struct KVMProbeTests {
    @Test(.enabled(if: TestHost.kvmUsable, "needs a /dev/kvm this user can open"))
    func liveProbeReportsAPIAndEveryListedCapability() throws {
        let evidence = KVMProbe.probe(root: .live)
        #expect(evidence.device.present)
        #expect(evidence.device.accessible == true)
        #expect(evidence.device.mode?.count == 4)
        #expect(evidence.apiVersion == 12)
        #expect(evidence.detail == nil)
        let listed = DataTables.kvmCapabilities.rows.compactMap { $0["name"] }
        #expect(evidence.capabilities.map(\.name) == listed)
        let byName = Dictionary(uniqueKeysWithValues: evidence.capabilities.map { ($0.name, $0.value) })
        // Every KVM that can run a guest has these.
        #expect(byName["user_memory"] ?? 0 > 0)
        #expect(byName["ext_cpuid"] ?? 0 > 0)
        #expect(byName["max_vcpus"] ?? 0 >= 1)
        let cpuid = try #require(evidence.supportedCpuid)
        #expect(cpuid.contains { $0.leaf == 0 })
        #expect(cpuid.contains { $0.leaf == 0x8000_0001 })
        #expect(evidence.guestRun == nil)
    }

    @Test func fixtureRootWithoutKVMIsAbsentNotACrash() throws {
        let root = try TestHost.temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let evidence = KVMProbe.probe(root: HostRoot(path: root.path, isLive: false), guestRun: BackgroundGuestRun(.childCommand(executable: "/bin/true")))
        #expect(evidence.device.present == false)
        #expect(evidence.device.accessible == nil)
        #expect(evidence.device.detail?.contains("errno 2") == true)
        #expect(evidence.apiVersion == nil)
        #expect(evidence.capabilities.isEmpty)
        #expect(evidence.supportedCpuid == nil)
        #expect(evidence.guestRun == nil)
    }

    /// A captured tree holds /dev/kvm as a plain file: present, its group named from the tree's
    /// own /etc/group, and nothing live asked (no open, no ioctl, no guest).
    @Test func fixtureRootWithCapturedNodeReadsOnlyTheTree() throws {
        let root = try TestHost.temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("dev"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let node = root.appendingPathComponent("dev/kvm")
        #expect(fm.createFile(atPath: node.path, contents: Data()))
        #expect(chmod(node.path, 0o660) == 0)
        let gid = getegid()
        try "wheel:x:9999:\nfixturekvm:x:\(gid):alice,bob\n".write(to: root.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)

        let evidence = KVMProbe.probe(root: HostRoot(path: root.path, isLive: false), guestRun: BackgroundGuestRun(.childCommand(executable: "/bin/true")))
        #expect(evidence.device.present)
        #expect(evidence.device.mode == "0660")
        #expect(evidence.device.groupGid == gid)
        #expect(evidence.device.groupName == "fixturekvm")
        #expect(evidence.device.accessible == nil)
        #expect(evidence.device.detail == "not a character device")
        #expect(evidence.apiVersion == nil)
        #expect(evidence.capabilities.isEmpty)
        #expect(evidence.guestRun == nil)
    }

    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func liveProbeRunsTheGuestInAChild() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let (evidence, own) = try TestHost.onOneCPU {
            (KVMProbe.probe(root: .live, guestRun: BackgroundGuestRun(.childCommand(executable: binary))),
             try KVMDevice(path: KVMProbe.devicePath).supportedCpuid())
        }
        let run = try #require(evidence.guestRun)
        #expect(run.ok, "\(run.error ?? "")")
        #expect(run.runs.map(\.mode) == ["real", "long64"])
        #expect(run.exitLatencyNs?.userspace != nil)
        // The supported CPUID is the child's answer (issue 16), the kernel's answer to anyone on
        // the same CPU.
        #expect(evidence.supportedCpuid == own)
        #expect(evidence.detail == nil)
    }

    /// The child's supported CPUID is taken only as whole `kvm_cpuid_entry2` records, no more
    /// than the kernel is asked for; the kernel's own answer comes through as it was given.
    @Test func packedSupportedCPUIDIsTakenOnlyWhole() throws {
        var entry = kvm_cpuid_entry2()
        entry.function = 0x8000_0001
        entry.index = 2
        entry.eax = 0x11; entry.ebx = 0x22; entry.ecx = 0x33; entry.edx = 0x44
        let one = GuestRunSupervisor.packed(supportedCpuid: [entry])
        #expect(one.count == MemoryLayout<kvm_cpuid_entry2>.stride)
        #expect(GuestRunSupervisor.supportedCpuid(packed: one) == [CPUIDLeaf(leaf: 0x8000_0001, subleaf: 2, eax: 0x11, ebx: 0x22, ecx: 0x33, edx: 0x44)])
        #expect(GuestRunSupervisor.supportedCpuid(packed: []) == [])
        #expect(GuestRunSupervisor.supportedCpuid(packed: Array(one.dropLast())) == nil)
        #expect(GuestRunSupervisor.supportedCpuid(packed: one + [0]) == nil)
        let tooMany = Array(repeating: entry, count: Int(KVMDevice.supportedCpuidLimit) + 1)
        #expect(GuestRunSupervisor.supportedCpuid(packed: GuestRunSupervisor.packed(supportedCpuid: tooMany)) == nil)
    }

    /// A child that gives no supported CPUID (it failed, or is not virtcheck) leaves the probe to
    /// ask the kernel itself: the evidence is the same as without a guest run.
    @Test(.enabled(if: TestHost.kvmUsable, "needs a /dev/kvm this user can open"))
    func withoutTheChildsAnswerTheSupportedCPUIDIsAskedHere() throws {
        let (evidence, alone) = TestHost.onOneCPU {
            (KVMProbe.probe(root: .live, guestRun: BackgroundGuestRun(.childCommand(executable: "/bin/true"))),
             KVMProbe.probe(root: .live))
        }
        #expect(evidence.supportedCpuid == alone.supportedCpuid)
        #expect(evidence.supportedCpuid?.isEmpty == false)
        #expect(evidence.guestRun?.ok == false)
    }
}
