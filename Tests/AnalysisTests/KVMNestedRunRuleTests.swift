import HostModel
import Testing
@testable import Analysis

/// kvm.nested where KVM offers SVM: the nested run decides (pass, fail with what happened,
/// unknown for virtcheck's own limits); VMX stays an inference and says so.
struct KVMNestedRunRuleTests {
    static let svmOffered = KVMFacts.Nested(enabled: true, vmx: false, svm: true)

    static func facts(_ nested: NestedRunEvidence?, offer: KVMFacts.Nested = svmOffered) -> HostFacts {
        var run = Fixtures.okRun
        run.nested = nested
        return Fixtures.facts(kvm: KVMFacts(device: .init(present: true, accessible: true), apiVersion: 12, backend: "kvm_amd",
                                            nested: offer, capabilities: [:], guestRun: run))
    }

    static func round(_ index: Int) -> NestedRunEvidence.Round {
        .init(index: index, exitCode: 0x78, exitInfo1: 0, exitInfo2: 0, rip: 0x12007, nextRIP: 0, rax: 0x100 + 7 * UInt64(index),
              counter: UInt64(index), problem: nil)
    }

    static func run(ok: Bool, rounds: Int, fault: NestedRunEvidence.Fault? = nil, error: String? = nil, timedOut: Bool = false,
                    ownLimit: String? = nil) -> NestedRunEvidence {
        NestedRunEvidence(architecture: "svm", ok: ok, roundsPlanned: 4, rounds: (0..<rounds).map { round($0 + 1) }, fault: fault,
                          error: error, timedOut: timedOut, ownLimit: ownLimit)
    }

    @Test func aCompletedNestedRunIsThePass() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: true, rounds: 4)), kind: .live)
        #expect(f.status == .pass)
        #expect(f.summary.contains("VMRUN 4 times"))
        #expect(f.evidence.contains { $0.source == "nested guest run (SVM), round 4" && $0.detail.contains("EXITCODE 0x78") })
    }

    /// Evidence without 32-bit runs (a snapshot from before them): the pass names what it proves,
    /// a 64-bit guest hypervisor; the lab shows 32-bit ones failing (kvm_amd 6.1), so it must not claim them.
    @Test func aPassWithoutThirtyTwoBitRunsSaysItCoversSixtyFourBitGuestHypervisorsOnly() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: true, rounds: 4)), kind: .live)
        #expect(f.summary.contains("a 64-bit hypervisor (long mode, 4-level paging)"))
        #expect(f.summary.contains("32-bit ones were not run"))
    }

    static func facts(_ nested: NestedRunEvidence, nested32: [NestedRunEvidence]) -> HostFacts {
        var f = facts(nested)
        f.kvm.guestRun?.nested32 = nested32
        return f
    }

    static func run32(_ l1: String, ok: Bool, error: String? = nil, ownLimit: String? = nil) -> NestedRunEvidence {
        NestedRunEvidence(architecture: "svm", ok: ok, roundsPlanned: 4, rounds: ok ? (1...4).map { round($0) } : [], fault: nil,
                          error: error, timedOut: false, ownLimit: ownLimit, l1: l1)
    }

    /// The lab's amd-no-npt-nested (kvm_amd npt=0): the 64-bit and PAE L1s complete, the 2-level
    /// one shuts down after its first #VMEXIT. 64-bit guest hypervisors nest: a warning naming the
    /// mode and KVM's failed check, not a failure; the evidence lists every 32-bit run.
    @Test func aThirtyTwoBitL1ThatFailsMakesAWarningNamingItsMode() throws {
        let legacy = Self.run32("32-bit, 2-level paging", ok: false,
                                error: "L1 shut down (a triple fault) in round 1 with CR0 0x80000011, CR3 0x0, CR4 0x60, EFER 0x1000 (0 of 4 round trips completed)")
        let f = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: true, rounds: 4),
                                                               nested32: [Self.run32("32-bit, PAE paging", ok: true), legacy]), kind: .live)
        #expect(f.status == .warn)
        #expect(f.summary.contains("a 32-bit guest hypervisor (32-bit, 2-level paging) does not nest here"))
        #expect(f.summary.contains("CR4 0x60"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("kvm.nested", "nested-32-bit", backend: "kvm_amd"))
        #expect(f.evidence.contains { $0.source == "nested guest run (SVM), L1 32-bit, PAE paging" && $0.detail.hasPrefix("4 of 4") })
    }

    @Test func thirtyTwoBitL1sThatCompleteKeepThePass() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: true, rounds: 4),
                                                               nested32: [Self.run32("32-bit, PAE paging", ok: true),
                                                                          Self.run32("32-bit, 2-level paging", ok: true)]), kind: .live)
        #expect(f.status == .pass)
        #expect(f.summary.contains("So did 32-bit ones (32-bit, PAE paging and 32-bit, 2-level paging)"))
    }

    /// A 32-bit run that virtcheck's own limits stopped proves nothing: still the 64-bit pass.
    @Test func aThirtyTwoBitRunCutShortByOwnLimitsIsNoWarning() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: true, rounds: 4),
                                                               nested32: [Self.run32("32-bit, PAE paging", ok: false, error: "EMFILE", ownLimit: "EMFILE")]),
                                     kind: .live)
        #expect(f.status == .pass)
        #expect(f.summary.contains("32-bit guest hypervisors are not proven"))
    }

    /// A run whose L1 faults after the first #VMEXIT (what the lab's 32-bit L1 with 2-level paging
    /// meets under kvm_amd npt=0): `nested=1` and SVM in the CPUID do not make that a pass.
    @Test func aNestedRunThatFaultsAfterTheFirstExitFails() throws {
        let fault = NestedRunEvidence.Fault(vector: 14, errorCode: 0x2, rip: 0x8034, round: 2)
        let run = Self.run(ok: false, rounds: 1, fault: fault, error: "round 2 of 4: L1 took exception 14 (#PF)")
        let f = try Fixtures.finding("kvm.nested", Self.facts(run), kind: .live)
        #expect(f.status == .fail)
        #expect(f.summary.contains("round 2 of 4"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("kvm.nested", "nested-run-failed", backend: "kvm_amd"))
        #expect(f.evidence.contains { $0.source == "nested guest run (SVM), L1's IDT" && $0.detail.contains("exception 14") })
    }

    @Test func ownLimitsAndTimeoutsAreUnknown() throws {
        let limited = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: false, rounds: 0, ownLimit: "KVM_CREATE_VM: EMFILE")), kind: .live)
        #expect(limited.status == .unknown)
        #expect(limited.summary.contains("EMFILE"))
        let slow = try Fixtures.finding("kvm.nested", Self.facts(Self.run(ok: false, rounds: 2, error: "time limit", timedOut: true)), kind: .live)
        #expect(slow.status == .unknown)
    }

    @Test func vmxIsInferredAndSaysSo() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(nil, offer: .init(enabled: true, vmx: true, svm: false)), kind: .live)
        #expect(f.status == .pass)
        #expect(f.summary.contains("not proven by a run"))
    }

    @Test func svmWithoutARunStaysAnInference() throws {
        let f = try Fixtures.finding("kvm.nested", Self.facts(nil), kind: .live)
        #expect(f.status == .pass)
        #expect(f.summary.contains("no nested guest was run"))
    }
}
