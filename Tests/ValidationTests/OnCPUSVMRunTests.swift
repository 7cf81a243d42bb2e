import Emulator
import HostModel
import HostProbe
import Testing
@testable import Validation

/// `verify --on-cpu` on AMD: which built-in SVM vectors become guest code, the VMCB bytes they
/// become, and how a guest's outcome is read back in the vectors' spelling.
@Suite struct OnCPUSVMRunTests {
    static let vectors = try! BuiltInVectors.load()
    static let plans = OnCPUSVMRun.plan(vectors)

    static func plan(_ name: String) -> OnCPUSVMRun.Plan? {
        plans.first { plan in
            switch plan {
            case .run(let v, _), .notExpressible(let v, _): v.name == name
            }
        }
    }

    static func svmCase(_ name: String) throws -> SVMGuestCase {
        guard case .run(_, let c)? = plan(name) else { throw PlanError(name: name) }
        return c
    }

    struct PlanError: Error { var name: String }

    static func reason(_ name: String) -> String? {
        if case .notExpressible(_, let reason)? = plan(name) { reason } else { nil }
    }

    @Test func everySVMVectorIsPlannedAndMostRun() {
        let svm = Self.vectors.filter(\.instruction.isSVM)
        #expect(Self.plans.count == svm.count)
        let run = Self.plans.filter { if case .run = $0 { true } else { false } }.count
        #expect(run == 74, "SVM vectors expressible as guest code: \(run) of \(svm.count)")
    }

    /// CPL3 (L1 drops to ring 3) and GIF = 0 (L1 executes CLGI) are preconditions L1 can reach;
    /// CPL 1 is not (the harness has no ring-1 segments).
    @Test func ring3AndAClearGIFBecomeL1Preludes() throws {
        let cpl3 = try Self.svmCase("vmrun.cpl3")
        #expect(cpl3.userMode && !cpl3.clearGIF && cpl3.eferSet == SVMGuestCase.svme)
        let svmeOff = try Self.svmCase("vmrun.ud.svme-cpl3")
        #expect(svmeOff.userMode && svmeOff.eferSet == 0)
        let gif = try Self.svmCase("vmrun.ok.gif-clear")
        #expect(gif.clearGIF && !gif.userMode)
        let plain = try Self.svmCase("vmrun.ok")
        #expect(!plain.userMode && !plain.clearGIF)
        #expect(Self.reason("vmrun.cpl1")?.contains("CPL 1") == true)
    }

    @Test func whatCannotBeGuestCodeSaysWhy() throws {
        #expect(Self.reason("vmrun.cpl1")?.contains("CPL 1") == true)
        #expect(Self.reason("vmrun.intercept")?.contains("svm-guest") == true)
        #expect(Self.reason("vmrun.ud.real")?.contains("CR0") == true)
        #expect(Self.vectors.contains { $0.instruction == .skinit })
        for v in Self.vectors where v.instruction == .skinit {
            #expect(Self.reason(v.name)?.hasPrefix("SKINIT") == true, "\(v.name)")
        }
    }

    /// The vector's changes reach the VMCB bytes; what it left as the model's valid VMCB takes the
    /// harness's values, so an entered guest runs the harness's code and comes back.
    @Test func vectorsBecomeVMCBBytes() throws {
        let nw = VMCBImage(bytes: try Self.svmCase("vmrun.guest.cr0-nw").vmcb)
        #expect(nw[.cr0] == 0xA000_0011)
        #expect(nw[.rip] == UInt64(GuestMemoryLayout.Harness.l2Code) && nw[.cr3] == UInt64(GuestMemoryLayout.pml4))
        #expect(nw[field32: .interceptMisc1] & VMCBField.InterceptBit.hlt != 0)
        #expect(nw[field32: .interceptMisc2] == VMCBField.InterceptBit.vmrun)
        let none = VMCBImage(bytes: try Self.svmCase("vmrun.ctl.no-vmrun-intercept").vmcb)
        #expect(none[field32: .interceptMisc2] == 0)
        let asid = VMCBImage(bytes: try Self.svmCase("vmrun.ctl.asid-zero").vmcb)
        #expect(asid[field32: .guestASID] == 0)
        let svmeOff = try Self.svmCase("vmrun.ud.svme")
        #expect(svmeOff.eferSet == 0 && svmeOff.rax == 0x5000)
        let unaligned = try Self.svmCase("vmrun.rax.unaligned")
        #expect(unaligned.eferSet == SVMGuestCase.svme && unaligned.rax == 0x5001)
        // VMLOAD's source VMCB at 0x6000: FS.base at state-save offset 448h (APM table B-2).
        let load = try Self.svmCase("vmload.ok")
        let page = VMCBImage(bytes: try #require(load.pages[0x6000]))
        #expect(page.read(at: VMCBField.fs.rawValue + 8, width: 8) == 0x1234)
        #expect(load.instruction == .vmload)
    }

    /// VMRUN of a second VMCB (rax=0x6000) enters the harness's guest too; the lab's first run
    /// wrote the model's valid VMCB there as is (RIP 0x400000, CR3 0x300000, beyond the guest's
    /// 2 MiB) and L1 shut down.
    @Test func aSecondVMCBThatVMRUNEntersRunsTheHarnessGuest() throws {
        let c = try Self.svmCase("vmrun.ok.other-vmcb")
        let page = VMCBImage(bytes: try #require(c.pages[0x6000]))
        #expect(page[.rip] == UInt64(GuestMemoryLayout.Harness.l2Code) && page[.cr3] == UInt64(GuestMemoryLayout.pml4))
        #expect(page[field32: .guestASID] == 7)
    }

    /// Per-observation deviations: VMMCALL completing in a kvm_amd guest is KVM's hypercall, and
    /// only that observation on that backend is excused.
    @Test func kvmsHypercallExplainsVMMCALLCompletingAndNothingElse() {
        #expect(KnownDeviation.explaining(vector: "vmmcall.ud.host", observed: "done", backend: "kvm_amd") != nil)
        #expect(KnownDeviation.explaining(vector: "vmmcall.ud.host", observed: "#GP(0)", backend: "kvm_amd") == nil)
        #expect(KnownDeviation.explaining(vector: "vmmcall.ud.host", observed: "done", backend: "kvm_intel") == nil)
        #expect(KnownDeviation.explaining(vector: "vmmcall.ud.host", observed: "#VMEXIT(0xffffffff)", backend: "kvm_amd") == nil)
    }

    /// The lab's reserved-type EVENTINJ: QEMU's TCG VMRUN stores a zero-extended 32-bit
    /// SVM_EXIT_ERR, and only that exact EXITCODE of that vector is excused — not the same value
    /// in another vector, not another value in this one.
    @Test func qemusThirtyTwoBitExitCodeExplainsOnlyTheReservedEventType() {
        #expect(KnownDeviation.explaining(vector: "vmrun.event.reserved-type", observed: "#VMEXIT(0xffffffff)", backend: "kvm_amd") != nil)
        #expect(KnownDeviation.explaining(vector: "vmrun.event.reserved-type", observed: "entered", backend: "kvm_amd") == nil)
        #expect(KnownDeviation.explaining(vector: "vmrun.ctl.asid-zero", observed: "#VMEXIT(0xffffffff)", backend: "kvm_amd") == nil)
        #expect(KnownDeviation.explaining(vector: "vmrun.event.reserved-type", observed: "#VMEXIT(0xffffffff)", backend: "kvm_intel") == nil)
    }

    /// EFER.FFXSR exists only where the guest's CPUID 8000_0001 EDX[25] offers FFXSR (APM vol. 2
    /// 3.1.7): the lab's KVM offers none (EDX 2DD3FBFDh, Data/hosts/lab-amd-epyc-npt.json), so the
    /// model configured from that CPUID predicts VMEXIT_INVALID where the reference CPU enters.
    @Test func eferFeatureBitsFollowTheGuestsCPUID() throws {
        let v = try #require(Self.vectors.first { $0.name == "vmrun.guest.efer-ffxsr-ok" })
        let lab = OnCPUSVMRun.GuestCapabilities(leaves: [CPUIDLeaf(leaf: 0x8000_0001, subleaf: 0, eax: 0x0080_0F12, ebx: 0, ecx: 0x77, edx: 0x2DD3_FBFD)])
        #expect(OnCPUSVMRun.modelOutcome(v, guest: lab) == .svmExit(.invalid))
        #expect(lab.eferSummary.contains("EFER.FFXSR reserved"))
        let ffxsr = OnCPUSVMRun.GuestCapabilities(leaves: [CPUIDLeaf(leaf: 0x8000_0001, subleaf: 0, eax: 0x0080_0F12, ebx: 0, ecx: 0x77, edx: 0x2DD3_FBFD | 1 << 25)])
        #expect(OnCPUSVMRun.modelOutcome(v, guest: ffxsr) == .entered)
        // NXE is in every VMRUN vector's guest EFER: with NX offered (EDX[20]) the lab's guest still enters.
        let ok = try #require(Self.vectors.first { $0.name == "vmrun.ok" })
        #expect(OnCPUSVMRun.modelOutcome(ok, guest: lab) == .entered)
    }

    @Test func outcomesReadBackInTheVectorsSpelling() {
        let ud = SVMCaseReport(name: "x", fault: .init(vector: 6, errorCode: 0, rip: 0x802D, round: 1), exitCodes: [], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(ud, instruction: .vmrun).outcome == "#UD")
        let gp = SVMCaseReport(name: "x", fault: .init(vector: 13, errorCode: 0, rip: 0x802D, round: 1), exitCodes: [], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(gp, instruction: .vmload).outcome == Outcome.fault(.gp).description)
        let invalid = SVMCaseReport(name: "x", fault: nil, exitCodes: [UInt64.max], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(invalid, instruction: .vmrun).outcome == Outcome.svmExit(.invalid).description)
        let entered = SVMCaseReport(name: "x", fault: nil, exitCodes: [0x78], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(entered, instruction: .vmrun).outcome == Outcome.entered.description)
        // A nested page fault (400h) is the entered guest's exit, not a failed entry; a -1 with
        // only its low half written is not the APM's VMEXIT_INVALID.
        let npf = SVMCaseReport(name: "x", fault: nil, exitCodes: [0x400], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(npf, instruction: .vmrun).outcome == Outcome.entered.description)
        let half = SVMCaseReport(name: "x", fault: nil, exitCodes: [0xFFFF_FFFF], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(half, instruction: .vmrun).outcome == "#VMEXIT(0xffffffff)")
        let done = SVMCaseReport(name: "x", fault: nil, exitCodes: [0], halted: true, error: nil)
        #expect(OnCPUSVMRun.observed(done, instruction: .stgi).outcome == Outcome.completed.description)
        let silent = SVMCaseReport(name: "x", fault: nil, exitCodes: [], halted: false, error: "L1 shut down (a triple fault) in round 1")
        #expect(OnCPUSVMRun.observed(silent, instruction: .vmrun).outcome == nil)
    }

    /// The model configured from the guest: a guest with 40 physical address bits makes the
    /// vectors' MAXPHYADDR edge the guest's, not the reference CPU's.
    @Test func theModelIsConfiguredFromTheGuest() throws {
        let v = try #require(Self.vectors.first { $0.name == "vmrun.ctl.msrpm-ok" })
        let narrow = OnCPUSVMRun.GuestCapabilities(leaves: [CPUIDLeaf(leaf: 0x8000_0008, subleaf: 0, eax: 40, ebx: 0, ecx: 0, edx: 0)])
        #expect(OnCPUSVMRun.modelOutcome(v, guest: narrow) == .svmExit(.invalid))
        let wide = OnCPUSVMRun.GuestCapabilities(leaves: [CPUIDLeaf(leaf: 0x8000_0008, subleaf: 0, eax: 46, ebx: 0, ecx: 0, edx: 0)])
        #expect(OnCPUSVMRun.modelOutcome(v, guest: wide) == .entered)
    }
}

/// The `then` column on the CPU: each field the guest's state can show is compared on its own,
/// and what it cannot show is listed, never dropped.
@Suite struct OnCPUThenStateTests {
    static func report(_ name: String, _ report: SVMCaseReport, instruction: Instruction) throws -> OnCPUReport.Result {
        guard let plan = OnCPUSVMRunTests.plan(name) else { throw OnCPUSVMRunTests.PlanError(name: name) }
        let o = OnCPUSVMRun.observed(report, instruction: instruction)
        let r = OnCPUReport(backend: "kvm_amd", architecture: "svm", guestModel: "", plans: [plan],
                            reports: [name: SVMCaseReportSummary(outcome: o.outcome, detail: o.detail, report: report)],
                            guest: OnCPUSVMRun.GuestCapabilities(leaves: []))
        return try #require(r.results.first)
    }

    /// L1's VMSAVE page with FS.base (save area 448h, APM table B-2) and STAR.
    static func l1Saved(fsBase: UInt64, star: UInt64 = 0) -> [SVMCaseReport.Word] {
        var page = VMCBImage()
        page.setSegment(.fs, selector: 0, attributes: 0, limit: 0, base: fsBase)
        page[.star] = star
        return SVMCaseReport.words(page)
    }

    /// VMLOAD's FS.base and MSRs are L1's own afterwards, read back through L1's VMSAVE: right, it
    /// agrees; wrong, that one field disagrees while the outcome still agrees.
    @Test func vmloadsDestinationIsReadBackThroughVMSAVE() throws {
        #expect(try OnCPUSVMRunTests.svmCase("vmload.ok").readBack && !(try OnCPUSVMRunTests.svmCase("clgi.ok")).readBack)
        let good = try Self.report("vmload.ok", SVMCaseReport(name: "vmload.ok", fault: nil, exitCodes: [0], halted: true, error: nil,
                                                              l1Saved: Self.l1Saved(fsBase: 0x1234)), instruction: .vmload)
        #expect(good.agrees && good.fields.map(\.field) == ["fs.base"] && good.fields[0].observed == "0x1234")
        let msrs = try Self.report("vmload.msrs", SVMCaseReport(name: "vmload.msrs", fault: nil, exitCodes: [0], halted: true, error: nil,
                                                                l1Saved: Self.l1Saved(fsBase: 0, star: 2)), instruction: .vmload)
        #expect(msrs.fields.first { $0.field == "msr.star" }?.agrees == true)
        #expect(msrs.fields.first { $0.field == "msr.lstar" }?.observed == "0x0" && !msrs.agrees)
        let bad = try Self.report("vmload.ok", SVMCaseReport(name: "vmload.ok", fault: nil, exitCodes: [0], halted: true, error: nil,
                                                             l1Saved: Self.l1Saved(fsBase: 0)), instruction: .vmload)
        #expect(bad.model == bad.observed && !bad.agrees && bad.unexplained)
        #expect(bad.fields == [OnCPUThenState.Field(field: "fs.base", model: "0x1234", observed: "0x0", agrees: false, knownDeviation: nil)])
    }

    /// A failed VMRUN's EXITCODE in the VMCB at RAX is a field of its own; an entered guest's CR4
    /// is read from the save area its #VMEXIT wrote, and L1's GIF or the guest's mode are not observable.
    @Test func theVMCBAtRAXAndTheEnteredGuestsSaveArea() throws {
        var page = VMCBImage()
        page[.exitCode] = UInt64.max
        let invalid = try Self.report("vmrun.ctl.no-vmrun-intercept", SVMCaseReport(name: "", fault: nil, exitCodes: [UInt64.max], halted: true,
                                                                                    error: nil, vmcb: SVMCaseReport.words(page)), instruction: .vmrun)
        #expect(invalid.agrees && invalid.fields.map(\.field) == ["vmcb@0x5000.exitcode"] && invalid.unobserved == ["svm-guest"])
        var saved = VMCBImage()
        saved[.exitCode] = 0x78
        saved[.cr4] = 0x3000A0
        let entered = try Self.report("vmrun.guest.cr4-smep-ok", SVMCaseReport(name: "", fault: nil, exitCodes: [0x78], halted: true, error: nil,
                                                                               vmcb: SVMCaseReport.words(saved)), instruction: .vmrun)
        #expect(entered.agrees && entered.fields.map(\.observed) == ["0x3000a0"])
        saved[.cr4] = 0x20
        let dropped = try Self.report("vmrun.guest.cr4-smep-ok", SVMCaseReport(name: "", fault: nil, exitCodes: [0x78], halted: true, error: nil,
                                                                               vmcb: SVMCaseReport.words(saved)), instruction: .vmrun)
        #expect(!dropped.agrees && dropped.fields.first?.observed == "0x20" && dropped.unexplained)
        // Without the page read back nothing is compared, and everything is listed as unobserved.
        let blind = try Self.report("vmrun.guest.cr4-smep-ok", SVMCaseReport(name: "", fault: nil, exitCodes: [0x78], halted: true, error: nil),
                                    instruction: .vmrun)
        #expect(blind.fields.isEmpty && blind.unobserved == ["cr4"])
    }

    /// After an entered VMRUN a key whose source field the harness wrote with its own value is not
    /// the vector's: vmrun.loads-guest leaves the model's EFER (0x1D00) to the harness (0x1500).
    @Test func whatTheHarnessWroteItselfIsNotCompared() throws {
        var saved = VMCBImage()
        saved[.exitCode] = 0x4E
        saved[.cr3] = 0x123000
        saved[.efer] = 0x1500
        let r = try Self.report("vmrun.loads-guest", SVMCaseReport(name: "", fault: nil, exitCodes: [0x4E], halted: true, error: nil,
                                                                   vmcb: SVMCaseReport.words(saved)), instruction: .vmrun)
        #expect(r.unobserved.contains("efer") && !r.fields.contains { $0.field == "efer" })
        #expect(r.fields.first { $0.field == "cr3" }?.agrees == true)
    }

    /// A page's nonzero quadwords go to the child's report and come back as the same page.
    @Test func aPageTravelsAsItsNonzeroWords() {
        var page = VMCBImage()
        page[.exitCode] = 0xFFFF_FFFF
        page[.rip] = 0x12007
        let words = SVMCaseReport.words(page)
        #expect(words == [.init(offset: 0x70, value: 0xFFFF_FFFF), .init(offset: 0x578, value: 0x12007)])
        #expect(SVMCaseReport(name: "", fault: nil, exitCodes: [], halted: true, error: nil, vmcb: words).vmcbImage == page)
    }
}
