import HostModel
import Testing
@testable import Analysis

/// kvm.device, kvm.accessible, kvm.api, kvm.guest-run, kvm.nested: pass, fail, unknown.
struct KVMRulesTests {
    static func kvm(present: Bool? = true, accessible: Bool? = true, api: Int? = 12, backend: String? = "kvm_intel",
                    nested: KVMFacts.Nested = .init(enabled: true, vmx: true, svm: false), run: GuestRunEvidence? = Fixtures.okRun) -> HostFacts {
        Fixtures.facts(kvm: KVMFacts(device: .init(present: present, accessible: accessible), apiVersion: api, backend: backend,
                                     nested: nested, capabilities: [:], guestRun: run))
    }

    @Test func allPassOnAWorkingHost() throws {
        for id in ["kvm.device", "kvm.accessible", "kvm.api", "kvm.guest-run", "kvm.nested"] {
            #expect(try Fixtures.finding(id, Self.kvm(), kind: .live).status == .pass, "\(id)")
        }
    }

    @Test func failures() throws {
        #expect(try Fixtures.finding("kvm.device", Self.kvm(present: false, run: nil), kind: .live).status == .fail)
        #expect(try Fixtures.finding("kvm.guest-run", Self.kvm(present: false, run: nil), kind: .live).status == .fail)
        #expect(try Fixtures.finding("kvm.accessible", Self.kvm(accessible: false, run: nil), kind: .live).status == .warn)
        #expect(try Fixtures.finding("kvm.api", Self.kvm(api: 11), kind: .live).status == .fail)
        let failed = GuestRunEvidence(ok: false, runs: [], exitLatencyNs: nil, timedOut: true, error: "KVM_RUN: EINTR")
        #expect(try Fixtures.finding("kvm.guest-run", Self.kvm(run: failed), kind: .live).status == .fail)
        let noNest = try Fixtures.finding("kvm.nested", Self.kvm(nested: .init(enabled: false, vmx: false, svm: false)), kind: .live)
        #expect(noNest.status == .fail)
        #expect(noNest.remediation?.contains("kvm_intel with nested=1") == true)
    }

    @Test func unknownsOffline() throws {
        for id in ["kvm.device", "kvm.accessible", "kvm.api", "kvm.guest-run", "kvm.nested"] {
            let f = try Fixtures.finding(id, Fixtures.facts())
            #expect(f.status == .unknown, "\(id)")
            #expect(f.remediation == RuleCatalogue.builtIn.remediation(id, "offline"), "\(id)")
        }
    }

    /// Where virtcheck could not open /dev/kvm for its own limits and no child answered for it,
    /// the supported CPUID is missing for that reason: unknown, with the own-limit remedy, not
    /// "run as a user who can open /dev/kvm" (found under `ulimit -n 12`, issue 16's review).
    @Test func anUnreadSupportedCPUIDNamesVirtchecksOwnLimit() throws {
        var facts = Self.kvm(present: nil, accessible: nil, nested: .init(enabled: nil, vmx: nil, svm: nil), run: nil)
        facts.kvm.openOwnLimit = "stat /dev/kvm: Too many open files (errno 24): too many open files; raise `ulimit -n` for virtcheck"
        let f = try Fixtures.finding("kvm.nested", facts, kind: .live)
        #expect(f.status == .unknown)
        #expect(f.summary.contains("its own reasons"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("kvm.nested", "own-limit"))
    }

    @Test func aSoftwareBackendCannotNest() throws {
        let f = try Fixtures.finding("kvm.nested", Fixtures.pvmGuest(), kind: .live)
        #expect(f.status == .fail)
        #expect(f.summary.contains("neither VMX nor SVM"))
        #expect(f.remediation?.contains("kvm_pvm cannot give guests") == true)
    }
}
