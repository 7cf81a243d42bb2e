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

    /// The lab's amd-no-npt-nested: the first entry runs, then L1 faults after the first #VMEXIT.
    /// `nested=1` and SVM in the CPUID no longer make that a pass.
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
