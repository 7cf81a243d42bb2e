import Emulator
import HostModel
import HostProbe

/// `verify --on-cpu` on AMD: the SVM vectors of the built-in set run as guest code. Each vector
/// the SVM harness can express becomes an `SVMGuestCase` (L1 at CPL0 in 64-bit mode executes the
/// vector's instruction with its RAX, EFER.SVME, VM_HSAVE_PA and VMCB pages); the real outcome
/// (L1's exception, the #VMEXIT code in the VMCB at RAX, or completion) is compared with the
/// model run on the vector's starting state configured from the guest's CPUID (physical address
/// width, SVM features). Vectors the harness cannot express are listed with the reason.
public enum OnCPUSVMRun {
    public typealias Plan = OnCPUPlan<SVMGuestCase>

    /// What the guest's CPUID configures in the model.
    public struct GuestCapabilities: Sendable, Hashable {
        public var physicalAddressWidth: Int
        /// CPUID 8000_000Ah EDX.
        public var svmFeatures: UInt64
        /// CPUID 8000_0001h EDX (which EFER bits exist); the reference CPU's where the leaf is absent.
        public var extendedFeatures: UInt64

        public init(leaves: [CPUIDLeaf]) {
            physicalAddressWidth = leaves.first { $0.leaf == 0x8000_0008 }.map { Int($0.eax & 0xFF) } ?? 0
            svmFeatures = leaves.first { $0.leaf == 0x8000_000A }.map { UInt64($0.edx) } ?? 0
            extendedFeatures = leaves.first { $0.leaf == 0x8000_0001 }.map { UInt64($0.edx) } ?? MachineState.referenceExtendedFeatures
        }

        /// Which feature-dependent EFER bits the guest's CPUID makes valid, for the report's model line.
        public var eferSummary: String {
            "EFER.NXE \(extendedFeatures >> 20 & 1 == 1 ? "valid" : "reserved") (NX), "
                + "EFER.FFXSR \(extendedFeatures >> 25 & 1 == 1 ? "valid" : "reserved") (FFXSR, CPUID 8000_0001 EDX[25])"
        }
    }

    static let harnessInstruction: [Instruction: SVMGuestProgram.Instruction] = [
        .vmrun: .vmrun, .vmmcall: .vmmcall, .vmload: .vmload, .vmsave: .vmsave, .stgi: .stgi, .clgi: .clgi, .invlpga: .invlpga,
    ]
    /// Guest-physical pages the harness leaves free for a vector's VMCBs (its own VMCB page, and
    /// the stack page below `stackTop`, which L1 touches only in its exception handlers).
    static let freePages: Set<UInt64> = [UInt64(GuestMemoryLayout.SVM.vmcb), 0x6000]

    public static func plan(_ vectors: [ConformanceVector]) -> [Plan] {
        vectors.filter(\.instruction.isSVM).map(plan)
    }

    static func plan(_ vector: ConformanceVector) -> Plan {
        guard let instruction = harnessInstruction[vector.instruction] else {
            return .notExpressible(vector, "SKINIT enters a secure loader and reinitializes the processor; the harness's L1 has none to give it")
        }
        guard vector.base == .svm else {
            return .notExpressible(vector, "starts inside an SVM guest (base \(vector.base.rawValue)): L1 would itself have to be a nested guest of the harness")
        }
        let reference = VMXCapabilityMSRs.reference
        let base = VectorBase.svm.state(reference)
        let state: MachineState
        do { state = try vector.initialState(reference) } catch {
            return .notExpressible(vector, "its starting state does not apply: \(error.message)")
        }
        // L1 starts as `prepare` sets it up; the vector may change only what the harness sets.
        // CPL3 (IRETQ to ring 3) and GIF = 0 (CLGI) L1 can reach before the loop.
        let userMode = state.cpl == 3 && base.cpl == 0
        let clearGIF = !state.gif && base.gif
        var differences: [String] = []
        if state.cpl != base.cpl && !userMode { differences.append("CPL \(state.cpl)") }
        if state.cr0 != base.cr0 { differences.append("CR0") }
        if state.cr4 != base.cr4 { differences.append("CR4") }
        if state.efer & ~SVMGuestCase.svme != base.efer & ~SVMGuestCase.svme { differences.append("EFER beyond SVME") }
        if state.rflags != base.rflags { differences.append("RFLAGS") }
        if state.gif != base.gif && !clearGIF { differences.append("GIF") }
        if state.segments != base.segments { differences.append("segment registers") }
        if state.msrs != base.msrs { differences.append("MSRs") }
        var rest = state
        rest.cpl = base.cpl; rest.cr0 = base.cr0; rest.cr4 = base.cr4; rest.efer = base.efer; rest.rflags = base.rflags
        rest.gif = base.gif; rest.segments = base.segments; rest.msrs = base.msrs; rest.hsavePA = base.hsavePA; rest.vmcbs = base.vmcbs
        if differences.isEmpty, rest != base { differences.append("other processor state") }
        if !differences.isEmpty {
            return .notExpressible(vector, "starts from state the harness's L1 (64-bit, CPL 0 or 3, GIF 1 or 0) cannot take: \(differences.joined(separator: ", "))")
        }
        guard vector.operands == Operands(rax: vector.operands.rax) else {
            return .notExpressible(vector, "has operands beyond RAX (the harness loads only RAX)")
        }
        if let page = state.vmcbs.keys.first(where: { !freePages.contains($0) }) {
            return .notExpressible(vector, "places a VMCB at \(Hex.compact(page)), outside the pages the harness leaves free")
        }
        let harness = VMCBImage(bytes: SVMNestedRun.roundTripCase().vmcb)
        var svmCase = SVMGuestCase(name: vector.name, instruction: instruction, rounds: 1, skip: 0, eferSet: state.efer & SVMGuestCase.svme,
                                   rax: vector.operands.rax, hostSave: state.hsavePA,
                                   vmcb: image(state.vmcbs[UInt64(GuestMemoryLayout.SVM.vmcb)] ?? VMCB(), base: VMCB.valid, harness: harness).bytes,
                                   l2Code: SVMGuestProgram.l2RoundTrip)
        svmCase.clearGIF = clearGIF
        svmCase.userMode = userMode
        svmCase.readBack = instruction == .vmload
        // A second VMCB: VMLOAD/VMSAVE's operand is written as the vector has it; one that VMRUN
        // enters takes the harness's guest where it left the model's valid one's fields alone.
        for (page, vmcb) in state.vmcbs where page != UInt64(GuestMemoryLayout.SVM.vmcb) {
            let entered = instruction == .vmrun && page == vector.operands.rax
            svmCase.pages[Int(page)] = (entered ? image(vmcb, base: VMCB.valid, harness: harness) : image(vmcb, base: nil, harness: VMCBImage())).bytes
        }
        return .run(vector, svmCase)
    }

    /// The VMCB bytes of a modelled VMCB. With `base`, the fields the vector left as the model's
    /// valid VMCB has them take the harness's values instead (its guest's RIP, stack, CR3 and
    /// permission maps lie in guest RAM; it also intercepts HLT, SHUTDOWN and exceptions so that
    /// an entered guest comes back); every field the vector changed is written as it says.
    static func image(_ v: VMCB, base: VMCB?, harness: VMCBImage) -> VMCBImage {
        var out = harness
        func set(_ field: VMCBField, _ value: UInt64, _ baseValue: UInt64?) {
            if value != baseValue { out[field] = value }
        }
        if v.intercepts != base?.intercepts {
            var word3 = out[field32: .interceptMisc1] & ~(1 << 26)
            var word4: UInt32 = 0
            for intercept in v.intercepts {
                if intercept.bit < 32 { word3 |= 1 << UInt32(intercept.bit) } else { word4 |= 1 << UInt32(intercept.bit - 32) }
            }
            out[field32: .interceptMisc1] = word3
            out[field32: .interceptMisc2] = word4
        }
        if v.asid != base?.asid { out[field32: .guestASID] = v.asid }
        set(.iopmBase, v.iopmBase, base?.iopmBase)
        set(.msrpmBase, v.msrpmBase, base?.msrpmBase)
        if v.nestedPaging != base?.nestedPaging { out[.nestedControl] = v.nestedPaging ? 1 : 0 }
        set(.eventInjection, v.eventInjection, base?.eventInjection)
        set(.efer, v.efer, base?.efer)
        set(.cr0, v.cr0, base?.cr0)
        set(.cr3, v.cr3, base?.cr3)
        set(.cr4, v.cr4, base?.cr4)
        set(.dr6, v.dr6, base?.dr6)
        set(.dr7, v.dr7, base?.dr7)
        set(.rflags, v.rflags, base?.rflags)
        set(.rip, v.rip, base?.rip)
        set(.rsp, v.rsp, base?.rsp)
        set(.rax, v.rax, base?.rax)
        if v.cpl != base?.cpl { out.write(v.cpl, at: VMCBField.cpl.rawValue, width: 1) }
        let segmentFields: [SegmentRegister: VMCBField] = [.es: .es, .cs: .cs, .ss: .ss, .ds: .ds, .fs: .fs, .gs: .gs, .ldtr: .ldtr, .tr: .tr]
        for (register, field) in segmentFields {
            let segment = v.segments[register] ?? Segment()
            if base == nil || segment != base?.segments[register] {
                out.setSegment(field, selector: segment.selector, attributes: segment.vmcbAttributes, limit: segment.limit, base: segment.base)
            }
        }
        let msrFields: [ModelMSR: VMCBField] = [.star: .star, .lstar: .lstar, .cstar: .cstar, .sfmask: .sfmask, .kernelGSBase: .kernelGSBase,
                                                .sysenterCS: .sysenterCS, .sysenterESP: .sysenterESP, .sysenterEIP: .sysenterEIP]
        for (msr, field) in msrFields { set(field, v.msrs[msr] ?? 0, base.map { $0.msrs[msr] ?? 0 }) }
        return out
    }

    /// The model's outcome for the vector on a CPU with the guest's capabilities.
    public static func modelOutcome(_ vector: ConformanceVector, guest: GuestCapabilities) -> Outcome? {
        modelRun(vector, guest: guest)?.outcome
    }

    /// The model's outcome and the state after the instruction, on a CPU with the guest's capabilities.
    public static func modelRun(_ vector: ConformanceVector, guest: GuestCapabilities) -> (outcome: Outcome, state: MachineState)? {
        var capabilities = VMXCapabilityMSRs.reference
        if guest.physicalAddressWidth > 0 { capabilities.physicalAddressWidth = guest.physicalAddressWidth }
        guard var state = try? vector.initialState(capabilities) else { return nil }
        state.svmFeatures = guest.svmFeatures
        state.extendedFeatures = guest.extendedFeatures
        let outcome = InstructionModel.standard(vector.instruction).execute(&state, vector.operands)
        return (outcome, state)
    }

    /// What the guest did, in the vectors' outcome spelling: L1's exception, the #VMEXIT code
    /// VMRUN left in the VMCB at RAX (the nested guest's HLT or an intercepted exception of it
    /// means it was entered), or completion; nil with the reason when the run said nothing.
    public static func observed(_ report: SVMCaseReport, instruction: Instruction) -> (outcome: String?, detail: String) {
        if let fault = report.fault {
            let name = OnCPUReport.faultName(fault)
            return (name, "L1 took \(name) at RIP \(Hex.compact(fault.rip))")
        }
        guard let code = report.exitCodes.first, report.halted else {
            return (nil, report.error ?? "L1 neither completed the instruction nor faulted")
        }
        guard instruction == .vmrun else { return (Outcome.completed.description, "the instruction completed") }
        // Only VMEXIT_INVALID (-1) says the entry failed; any other #VMEXIT came from the entered
        // guest (its HLT, an intercepted exception, a nested page fault, ...). A -1 with only
        // its low 32 bits written is no VMEXIT_INVALID of the APM's and is reported as read.
        let truncatedInvalid: UInt64 = 0xFFFF_FFFF
        guard code == UInt64.max || code == truncatedInvalid else {
            return (Outcome.entered.description, "the nested guest ran; #VMEXIT \(Hex.compact(code))")
        }
        let text = code == UInt64.max ? "-1" : Hex.compact(code)
        return ("#VMEXIT(\(text))", "VMRUN returned with EXITCODE \(text)")
    }
}
