import Foundation
import HostModel
import Testing
@testable import HostProbe

/// The guest runner on this machine's /dev/kvm, run as virtcheck runs it: in a child
/// (`virtcheck __guest-run`). Never in the test process itself, whose other threads' pipe reads
/// must not meet the watchdog's interrupting SIGALRM handler. Serialized: the timing guest
/// measures best with the CPU to itself.
@Suite(.serialized, .enabled(if: TestHost.kvmAndBinary, "needs a /dev/kvm this user can open and the built virtcheck"))
struct GuestRunnerTests {
    @Test func realAndLongModeGuestsReturnTheirValuesAndLatenciesAreMeasured() throws {
        let evidence = GuestRunSupervisor.childCommand(executable: try #require(TestHost.virtcheckBinary)).run()
        #expect(evidence.ok, "\(evidence.error ?? "")")
        #expect(!evidence.timedOut)
        #expect(evidence.error == nil)
        try #require(evidence.runs.count == 2)

        let real = evidence.runs[0]
        #expect(real.mode == "real")
        #expect(real.ok, "\(real.detail ?? "")")
        #expect(real.observed == 0x1335)
        #expect(real.exits.map(\.reason) == ["io", "hlt"])
        #expect(real.exits.first == GuestExit(reason: "io", code: 2, port: 0x10, size: 2, direction: "out", value: 0x1335))

        let long = evidence.runs[1]
        #expect(long.mode == "long64")
        #expect(long.ok, "\(long.detail ?? "")")
        // 0x123456789ABCDEF1 × 0x0FEDCBA987654321 mod 2^64, worked by hand (and by `python3 -c`):
        #expect(long.observed == 0x3224_A439_6CC6_D011)
        #expect(long.expected == 0x3224_A439_6CC6_D011)
        #expect(long.exits.map(\.reason) == ["io", "io", "hlt"])
        #expect(long.exits.map(\.value) == [0x6CC6_D011, 0x3224_A439, nil])
        #expect(long.exits.allSatisfy { $0.reason != "io" || ($0.port == 0x10 && $0.size == 4 && $0.direction == "out") })

        let latency = try #require(evidence.exitLatencyNs)
        let userspace = try #require(latency.userspace)
        let inKernel = try #require(latency.inKernel)
        #expect(userspace.samples == 32)
        #expect(inKernel.samples == 300)
        #expect(userspace.median > 0 && inKernel.median > 0)
        // An exit the kernel handles never costs more than one that comes back to this process.
        #expect(inKernel.median < userspace.median)
    }

    @Test(arguments: [GuestProgram.Mode.real, .long64])
    func aGuestThatNeverExitsIsStoppedByTheTimeLimit(mode: GuestProgram.Mode) throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let start = TestHost.monotonicSeconds()
        // The child's own watchdog (1 s) must stop it, well before the parent's 5 s SIGKILL.
        let evidence = GuestRunSupervisor(executable: binary,
                                          arguments: [GuestRunSupervisor.subcommand, "--time-limit-ms", "1000", "--spin", mode.rawValue],
                                          timeoutNanoseconds: 5_000_000_000).run()
        let elapsed = TestHost.monotonicSeconds() - start
        #expect(evidence.timedOut)
        #expect(!evidence.ok)
        #expect(evidence.error?.contains("time limit") == true)
        #expect(evidence.runs.first?.mode == "spin-\(mode.rawValue)")
        #expect(evidence.runs.first?.exits.last?.reason == "intr")
        #expect(elapsed >= 0.9 && elapsed < 3, "took \(elapsed) s")
    }

    /// Opening fails before any signal handler is installed, so this one may run in-process.
    /// The one VM the guests share starts each program as a new one would: what a program left
    /// in RAM is zeroed, pages it never touched stay untouched, and the reset registers return.
    /// (No KVM_RUN here: only the VM's memory and registers, so no watchdog signal is involved.)
    @Test func aResetMachineIsAsFreshAsANewOne() throws {
        let machine = try GuestMachine(device: try KVMDevice(path: "/dev/kvm"), memorySize: GuestProgram.Layout.memorySize)
        try machine.reset()
        let fresh = try machine.specialRegisters()
        machine.write64(0x1122_3344_5566_7788, at: GuestProgram.Layout.resultPhysical)
        machine.write64(0xFFFF_FFFF_FFFF_FFFF, at: GuestProgram.Layout.memorySize - 8)
        var sregs = fresh
        sregs.cr0 = GuestMemoryLayout.longModeCR0
        sregs.cr3 = UInt64(GuestProgram.Layout.pml4)
        try machine.setSpecialRegisters(sregs)
        try machine.reset()
        #expect(machine.read64(at: GuestProgram.Layout.resultPhysical) == 0)
        #expect(machine.read64(at: GuestProgram.Layout.memorySize - 8) == 0)
        let again = try machine.specialRegisters()
        #expect(again.cr0 == fresh.cr0 && again.cr3 == fresh.cr3 && again.cs.base == fresh.cs.base)
    }

    @Test func aMissingDeviceIsEvidenceNotACrash() {
        let evidence = GuestRunner().run(device: "/nonexistent/kvm")
        #expect(!evidence.ok)
        #expect(!evidence.timedOut)
        #expect(evidence.error == "open /nonexistent/kvm: No such file or directory (errno 2)")
    }
}

/// The SVM harness on this machine's KVM, in the `__guest-run` child. Whatever KVM offers, an
/// SVM instruction with EFER.SVME clear must raise #UD (APM vol. 3, VMRUN: "#UD if EFER.SVME = 0"),
/// and L1's IDT must report it with the VMRUN's address: the fault path of every nested run.
@Suite(.serialized, .enabled(if: TestHost.kvmAndBinary, "needs a /dev/kvm this user can open and the built virtcheck"))
struct SVMHarnessOnThisKVMTests {
    @Test func vmrunWithoutSVMEIsUDReportedByL1sIDT() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let child = GuestRunSupervisor.childCommand(executable: binary, extraArguments: ["--svm-case", "nested-svme-off"])
        let r = try child.spawnAndWait()
        #expect(r.finished && r.killed == nil, "\(String(decoding: r.stderr, as: UTF8.self))")
        let e = try SnapshotCoding.decode(NestedRunEvidence.self, from: r.stdout)
        #expect(!e.ok)
        #expect(e.rounds.isEmpty)
        // loop: at entry + 37, `mov rax, [rax param]` (8 bytes), then VMRUN.
        #expect(e.fault == NestedRunEvidence.Fault(vector: 6, errorCode: 0, rip: UInt64(GuestMemoryLayout.entry + 45), round: 1))
        #expect(e.error?.hasPrefix("round 1 of 4: L1 took exception 6 (#UD)") == true, "\(e.error ?? "")")
    }

    /// The vectors that start at CPL3: L1 drops to ring 3 with IRETQ (21 bytes of pushes and the
    /// IRETQ after the 37-byte prologue), fetches and reads through user pages, and the #UD of its
    /// VMRUN reaches L1's IDT through the TSS's RSP0 with the VMRUN's address. A failed IRETQ
    /// would be #GP at entry + 56; a missing TSS or supervisor-only page, another fault or a shutdown.
    @Test func fromRing3TheUDReachesL1sIDTWithTheVMRUNsAddress() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let child = GuestRunSupervisor.childCommand(executable: binary, extraArguments: ["--svm-case", "user-mode-svme-off"])
        let r = try child.spawnAndWait()
        #expect(r.finished && r.killed == nil, "\(String(decoding: r.stderr, as: UTF8.self))")
        let e = try SnapshotCoding.decode(NestedRunEvidence.self, from: r.stdout)
        // Which fault is the L0's business (the APM's #UD for EFER.SVME = 0; kvm_pvm, whose guest
        // ring 3 is the hardware's, answers #GP(0) as seen on this host): where it is taken is the harness's.
        let fault = try #require(e.fault, "\(e.error ?? "")")
        #expect(fault.rip == UInt64(GuestMemoryLayout.entry + 37 + 21 + 8) && fault.round == 1, "\(e.error ?? "")")
        #expect([6, 13].contains(fault.vector) && fault.errorCode == 0)
    }
}

extension SVMHarnessOnThisKVMTests {
    /// The run loop ends where a CPL3 L1 ends (port 17h, since HLT faults at CPL3), after
    /// counting the round before it: a real-mode guest reports one round (OUT 13h) and finishes
    /// (OUT 17h). The lab's `vmmcall.ud.host-cpl3` came back "unexpected exit io (port 17h) in
    /// round 2" while the catch-all port case stood before this one.
    @Test func portSeventeenEndsTheRunAfterItsRounds() throws {
        let runner = GuestRunner(programs: [], measureLatency: false)
        let device = try KVMDevice()
        let code: [UInt8] = [0xE6, UInt8(SVMGuestProgram.Port.roundDone), //   out 13h, al   (E6 ib)
                             0xE6, UInt8(L1Harness.Port.finished), //         out 17h, al
                             0xF4] //                                          hlt (not reached)
        let program = GuestProgram(name: "finish", mode: .real, code: code, expected: nil, checksPaging: false)
        let machine = try runner.prepare(program, on: GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize))
        let watchdog = try GuestWatchdog(limitNanoseconds: 10_000_000_000)
        var rounds = 0
        let run = try runner.runL1(machine, watchdog: watchdog, exitBudget: 8) { exit in
            guard exit.port == SVMGuestProgram.Port.roundDone else { return "unexpected port \(exit.port ?? -1)" }
            rounds += 1
            return nil
        }
        #expect(run.halted && run.error == nil && rounds == 1, "\(run.error ?? "")")
        #expect(run.exits.last?.port == L1Harness.Port.finished)
    }

    /// Where KVM offers no SVM (kvm_pvm here), setting EFER.SVME is refused with #GP(0) (APM vol. 2
    /// 15.4 and KVM's svm_set_efer path: EFER.SVME is reserved without CPUID SVM), at the WRMSR.
    static let svmOffered = ((try? KVMDevice().supportedCpuid()) ?? []).contains { $0.leaf == 0x8000_0001 && $0.ecx >> 2 & 1 == 1 }

    @Test(.enabled(if: !svmOffered, "this KVM offers SVM: the nested run itself is the test there (the lab's amd-npt)"))
    func withoutSVMOfferedTheEFERWriteIsGP() throws {
        let child = GuestRunSupervisor.childCommand(executable: try #require(TestHost.virtcheckBinary), extraArguments: ["--svm-case", "nested"])
        let e = try SnapshotCoding.decode(NestedRunEvidence.self, from: try child.spawnAndWait().stdout)
        // mov ecx (5), rdmsr (2), or eax (7): WRMSR at entry + 14.
        #expect(e.fault == NestedRunEvidence.Fault(vector: 13, errorCode: 0, rip: UInt64(GuestMemoryLayout.entry + 14), round: 1))
        #expect(!e.ok)
    }
}
