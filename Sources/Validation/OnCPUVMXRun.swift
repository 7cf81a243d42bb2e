import Emulator
import HostModel
import HostProbe

/// `verify --on-cpu` on Intel: the VMX vectors of the built-in set run as guest code. Each vector
/// the VMX harness can express becomes a `VMXGuestCase` (L1 at CPL0 in 64-bit mode loads the
/// vector's CR0 and CR4, runs with its IA32_FEATURE_CONTROL, enters VMX operation as far as the
/// vector's base says, VMWRITEs its current VMCS, and executes the vector's instruction with its
/// operands); the real outcome (L1's exception, the VMX status in RFLAGS with the VM-instruction
/// error, or the exit reason at the host RIP) is compared with the model run on the vector's
/// starting state configured from the guest's VMX capability MSRs. Vectors the harness cannot
/// express are listed with the reason.
public enum OnCPUVMXRun {
    public typealias Plan = OnCPUPlan<VMXGuestCase>
    typealias Layout = GuestMemoryLayout.VMX

    /// The VMX capability MSRs (IA32_VMX_BASIC .. IA32_VMX_PROCBASED_CTLS3).
    public static let capabilityMSRs = [UInt32](0x480...0x492)

    /// Why the guest's VMX capabilities could not be read (one line).
    public struct CapabilityError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The guest's VMX capabilities as KVM offers them: its VMX MSRs as feature MSRs
    /// (KVM_GET_MSR_FEATURE_INDEX_LIST, KVM_GET_MSRS on the system fd: the values a new vCPU
    /// starts with) and MAXPHYADDR from KVM_GET_SUPPORTED_CPUID leaf 0x80000008.
    public static func guestCapabilities(devicePath: String = "/dev/kvm") -> Result<VMXCapabilityMSRs, CapabilityError> {
        do throws(KVMError) {
            let device = try KVMDevice(path: devicePath)
            let width = try device.supportedCpuid().first { $0.leaf == 0x8000_0008 }.map { Int($0.eax & 0xFF) } ?? 0
            let msrs = try device.featureMSRs(capabilityMSRs)
            guard width > 0 else { return .failure(CapabilityError(description: "KVM_GET_SUPPORTED_CPUID has no leaf 0x80000008 (MAXPHYADDR)")) }
            guard let capabilities = VMXCapabilityMSRs(msrs: msrs, physicalAddressWidth: width) else {
                return .failure(CapabilityError(description: "KVM does not report the VMX capability MSRs 0x480-0x48a as feature MSRs "
                    + "(KVM_GET_MSR_FEATURE_INDEX_LIST lists \(msrs.keys.count) of them): the model cannot be configured for the guest"))
            }
            return .success(capabilities)
        } catch {
            return .failure(CapabilityError(description: error.description))
        }
    }

    public static func plan(_ vectors: [ConformanceVector], guest: VMXCapabilityMSRs) -> [Plan] {
        vectors.filter { !$0.instruction.isSVM }.map { plan($0, guest: guest) }
    }

    /// VMCS fields that hold a physical address (SDM appendix B.2.1, B.2.2): a vector's value is
    /// moved into the window like its operands.
    static let addressFields: Set<UInt32> = [
        0x2000, 0x2002, 0x2004, VMCSFieldEncoding.exitMSRStoreAddress, VMCSFieldEncoding.exitMSRLoadAddress,
        VMCSFieldEncoding.entryMSRLoadAddress, 0x200C, 0x2012, 0x2014, 0x2016, VMCSFieldEncoding.eptPointer,
        VMCSFieldEncoding.eptpListAddress, 0x2026, 0x2028, VMCSFieldEncoding.vmcsLinkPointer,
    ]
    /// CR0 bits the architecture defines (PE MP EM TS ET NE WP AM NW CD PG): MOV to CR0 with any
    /// other faults before the instruction (SDM 2.5).
    static let cr0Defined: UInt64 = 0xE005_003F
    /// CR4.VMXE (bit 13), CR4.PAE (bit 5), and what cannot change in 64-bit mode: CR4.LA57 (12) and
    /// CR4.PCIDE (17) (SDM 4.1.1, MOV to CR4).
    static let cr4VMXE: UInt64 = 1 << 13
    static let cr4Fixed64: UInt64 = 1 << 12 | 1 << 17
    static let cr0Paging: UInt64 = 1 << 31 | 1
    /// The exception bitmap (SDM B.3.1).
    static let exceptionBitmap: UInt32 = 0x4004

    static func plan(_ vector: ConformanceVector, guest: VMXCapabilityMSRs) -> Plan {
        guard let instruction = VMXGuestProgram.Instruction(rawValue: vector.instruction.rawValue.lowercased()) else {
            return .notExpressible(vector, "\(vector.instruction.rawValue) is no VMX instruction")
        }
        let stage: VMXGuestCase.Stage
        switch vector.base {
        case .outside: stage = .outside
        case .root: stage = .root
        case .current: stage = .current
        case .launched: stage = .launched
        case .guest:
            return .notExpressible(vector, "starts in VMX non-root operation (base guest): L1's instruction would have to run in a nested guest of the harness")
        case .svm, .svmGuest:
            return .notExpressible(vector, "starts from an SVM base (\(vector.base.rawValue))")
        }
        let base = vector.base.state(guest)
        let state: MachineState
        do { state = try vector.initialState(guest) } catch {
            return .notExpressible(vector, "its starting state does not apply: \(error.message)")
        }
        if state.capabilities != base.capabilities {
            return .notExpressible(vector, "changes the CPU's capabilities (cap.*, maxphyaddr): a real CPU's are what they are")
        }
        // L1 starts as `prepare` sets it up; the vector may change only what the harness sets.
        var differences: [String] = []
        if state.cpl != base.cpl { differences.append("CPL \(state.cpl)") }
        if state.efer != base.efer { differences.append("EFER") }
        if state.rflags != base.rflags { differences.append("RFLAGS") }
        if state.csL != base.csL { differences.append("CS.L") }
        if state.segments != base.segments { differences.append("segment registers") }
        if state.smx != base.smx { differences.append("SMX operation") }
        if state.a20m != base.a20m { differences.append("A20M") }
        if state.smm != base.smm || state.smmMonitorValid != base.smmMonitorValid || state.dualMonitorActive != base.dualMonitorActive {
            differences.append("SMM")
        }
        if state.movSSBlocking != base.movSSBlocking || state.stiBlocking != base.stiBlocking { differences.append("event blocking") }
        if state.mode != base.mode || state.vmxonPointer != base.vmxonPointer || state.currentVMCS != base.currentVMCS {
            differences.append("VMX pointers")
        }
        if state.memory != base.memory { differences.append("memory beyond VMCS regions") }
        if state.vmreadBitmap != base.vmreadBitmap || state.vmwriteBitmap != base.vmwriteBitmap { differences.append("VMREAD/VMWRITE bitmaps") }
        var rest = state
        rest.cpl = base.cpl; rest.efer = base.efer; rest.rflags = base.rflags; rest.csL = base.csL; rest.segments = base.segments
        rest.smx = base.smx; rest.a20m = base.a20m; rest.smm = base.smm; rest.smmMonitorValid = base.smmMonitorValid
        rest.dualMonitorActive = base.dualMonitorActive; rest.movSSBlocking = base.movSSBlocking; rest.stiBlocking = base.stiBlocking
        rest.mode = base.mode; rest.vmxonPointer = base.vmxonPointer; rest.currentVMCS = base.currentVMCS; rest.memory = base.memory
        rest.vmreadBitmap = base.vmreadBitmap; rest.vmwriteBitmap = base.vmwriteBitmap
        rest.cr0 = base.cr0; rest.cr4 = base.cr4; rest.featureControl = base.featureControl; rest.vmcs = base.vmcs
        if differences.isEmpty, rest != base { differences.append("other processor state") }
        if !differences.isEmpty {
            return .notExpressible(vector, "starts from state the harness's L1 (CPL0, 64-bit, flat segments) cannot take: \(differences.joined(separator: ", "))")
        }
        // CR0 and CR4 are loaded as the vector has them, where MOV to CRn can load them in 64-bit mode.
        if state.cr0 & cr0Paging != cr0Paging || state.cr0 & ~cr0Defined != 0 || state.cr0 >> 29 & 3 == 1 {
            return .notExpressible(vector, "CR0 \(Hex.compact(state.cr0)): MOV to CR0 would fault or leave 64-bit mode before the instruction")
        }
        if state.cr4 & 1 << 5 == 0 || state.cr4 & cr4Fixed64 != base.cr4 & cr4Fixed64 || state.cr4 & ~(guest.cr4Fixed1 | cr4VMXE) != 0 {
            return .notExpressible(vector, "CR4 \(Hex.compact(state.cr4)): MOV to CR4 would fault before the instruction "
                + "(PAE, LA57 and PCIDE cannot change in 64-bit mode; a bit IA32_VMX_CR4_FIXED1 does not allow is not offered)")
        }
        // Regions: headers inside the window; the current VMCS's fields become the VMWRITE table.
        var headers: [Int: UInt32] = [:]
        for (page, region) in state.vmcs {
            let was = base.vmcs[page]
            if region.launched != (was?.launched ?? false) {
                return .notExpressible(vector, "changes the launch state of the VMCS at \(Hex.compact(page))")
            }
            if page != state.currentVMCS || stage == .outside || stage == .root, region.fields != (was?.fields ?? [:]) {
                return .notExpressible(vector, "sets fields of the VMCS at \(Hex.compact(page)), which is not the current VMCS")
            }
            if let at = Layout.relocated(page) {
                headers[Int(at)] = region.header
            } else if guest.isValidPageAddress(page) {
                return .notExpressible(vector, "places a region at \(Hex.compact(page)), beyond the harness's window of guest memory")
            }
        }
        if stage != .outside, let vmxon = state.vmxonPointer, state.vmcs[vmxon]?.header != base.vmcs[vmxon]?.header {
            return .notExpressible(vector, "rewrites the VMXON region after VMXON: the harness writes every region before L1 runs, "
                + "so its own VMXON would fail")
        }
        if stage == .current || stage == .launched, let fields = state.vmcs[state.currentVMCS]?.fields,
           (fields[VMCSFieldEncoding.entryControls] ?? 0) >> 9 & 1 == 0,
           (fields[VMCSFieldEncoding.guestCR0] ?? 0) >> 31 & 1 == 1, (fields[VMCSFieldEncoding.guestCR4] ?? 0) >> 5 & 1 == 1 {
            return .notExpressible(vector, "a 32-bit PAE guest: VM entry loads its PDPTEs from guest CR3 (SDM 27.3.2.4), which in the "
                + "harness holds 4-level tables, and the model does not read PDPTEs")
        }
        let ops = vector.operands
        if ops.registerForm {
            return .notExpressible(vector, "the register form (ModRM.mod = 11b) of 0F C7 /6 and /7 encodes other instructions (RDRAND, RDSEED, SENDUIPI)")
        }
        if let fault = ops.memoryFault {
            return .notExpressible(vector, "its operand access faults (\(fault.rawValue)): the harness's operands are mapped and present")
        }
        func moved(_ address: UInt64, _ what: String) -> Result<UInt64, PlanRefusal> {
            if let at = Layout.relocated(address) { return .success(at) }
            if address != MachineState.invalidPointer, guest.isValidPageAddress(address) {
                return .failure(PlanRefusal(reason: "\(what) \(Hex.compact(address)) lies beyond the harness's window of guest memory"))
            }
            return .success(address)
        }
        var vmxCase = VMXGuestCase(name: vector.name, instruction: instruction, stage: stage, cr0: state.cr0, cr4: state.cr4,
                                   featureControl: state.featureControl,
                                   vmxonPointer: Layout.relocated(state.vmxonPointer ?? VectorBase.vmxonRegion) ?? 0,
                                   vmcsPointer: Layout.relocated(state.hasCurrentVMCS ? state.currentVMCS : VectorBase.vmcsRegion) ?? 0,
                                   headers: headers)
        switch instruction {
        case .vmxon, .vmclear, .vmptrld:
            switch moved(ops.address, "the operand") {
            case .success(let at): vmxCase.operand = at
            case .failure(let refusal): return .notExpressible(vector, refusal.reason)
            }
        case .vmread, .vmwrite:
            vmxCase.rcx = ops.encoding
            vmxCase.rdx = ops.value
        case .invept, .invvpid:
            vmxCase.rcx = ops.type
            vmxCase.descriptorLow = ops.descriptorLow
            vmxCase.descriptorHigh = ops.descriptorHigh
        case .vmfunc:
            vmxCase.rax = ops.eax
            vmxCase.rcx = ops.ecx
        case .vmptrst, .vmlaunch, .vmresume, .vmxoff, .vmcall:
            break
        }
        let fields = state.vmcs[state.currentVMCS]?.fields ?? [:]
        let baseFields = base.vmcs[VectorBase.vmcsRegion]?.fields ?? [:]
        let code = VMXGuestProgram.l1(instruction)
        let hostRIP = UInt64(GuestMemoryLayout.entry + code.hostRIPOffset)
        let table: Result<[VMXGuestCase.Write], PlanRefusal>
        switch stage {
        case .outside, .root:
            return .run(vector, vmxCase)
        case .current:
            // The vector's VMCS as it has it, the harness's values where it left the model's.
            table = writes(fields, base: baseFields, harness: harnessFields(hostRIP: hostRIP), onlyChanged: false, guest: guest, moved: moved)
        case .launched:
            // The model's VMCS (with the harness's values) is launched first, the nested guest's
            // VMCALL coming back to the set-up's host RIP; then the host RIP for the instruction
            // and the vector's own changes.
            let launchExit = UInt64(GuestMemoryLayout.entry + code.launchExitOffset)
            switch writes(baseFields, base: baseFields, harness: harnessFields(hostRIP: launchExit), onlyChanged: false, guest: guest, moved: moved) {
            case .success(let w): vmxCase.writes = w
            case .failure(let refusal): return .notExpressible(vector, refusal.reason)
            }
            table = writes(fields, base: baseFields, harness: [:], onlyChanged: true, guest: guest, moved: moved)
                .map { [.init(VMCSFieldEncoding.hostRIP, hostRIP)] + $0 }
        }
        switch table {
        case .success(let w) where stage == .launched: vmxCase.writesAfterExit = w
        case .success(let w): vmxCase.writes = w
        case .failure(let refusal): return .notExpressible(vector, refusal.reason)
        }
        return .run(vector, vmxCase)
    }

    struct PlanRefusal: Error { var reason: String }

    /// The harness's values for fields the vector leaves as the model's enterable VMCS has them:
    /// the host comes back to L1's host-RIP code on L1's stack, page tables, GDT and IDT; the
    /// nested guest runs `VMXGuestProgram.l2` on the same page tables.
    static func harnessFields(hostRIP: UInt64) -> [UInt32: UInt64] {
        typealias H = GuestMemoryLayout.Harness
        return [
            VMCSFieldEncoding.hostRIP: hostRIP,
            VMCSFieldEncoding.hostRSP: UInt64(GuestMemoryLayout.stackTop),
            VMCSFieldEncoding.hostCR3: UInt64(GuestMemoryLayout.pml4),
            VMCSFieldEncoding.guestCR3: UInt64(GuestMemoryLayout.pml4),
            VMCSFieldEncoding.guestRIP: UInt64(H.l2Code),
            VMCSFieldEncoding.guestRSP: UInt64(H.l2StackTop),
            0x6C0C: UInt64(H.gdt), //     host GDTR base
            0x6C0E: UInt64(H.idt), //     host IDTR base
            0x6816: UInt64(H.gdt), //     guest GDTR base
            0x4810: UInt64(L1Harness.gdtLimit), // guest GDTR limit
            0x6818: UInt64(H.idt), //     guest IDTR base
            0x4812: UInt64(L1Harness.idtLimit), // guest IDTR limit
            VMCSFieldEncoding.guestDR7: 0x400, // DR7's reset value
            // Every exception of the nested guest exits (reason 0) instead of reaching the
            // harness's IDT, which would report it as L1's.
            exceptionBitmap: 0xFFFF_FFFF,
        ]
    }

    /// A VMWRITE table for the current VMCS: every field the vector has (with `onlyChanged`, only
    /// those it changed from the model's), its own value where it changed the model's, the
    /// harness's otherwise; address fields moved into the window.
    static func writes(_ fields: [UInt32: UInt64], base: [UInt32: UInt64], harness: [UInt32: UInt64], onlyChanged: Bool,
                       guest: VMXCapabilityMSRs, moved: (UInt64, String) -> Result<UInt64, PlanRefusal>) -> Result<[VMXGuestCase.Write], PlanRefusal> {
        var out: [VMXGuestCase.Write] = []
        for encoding in Set(fields.keys).union(harness.keys).sorted() {
            let value = fields[encoding]
            let changed = value != base[encoding]
            // SDM B.x: bits 11:10 = 1 is the read-only VM-exit information class.
            let readOnly = encoding >> 10 & 3 == 1
            if readOnly {
                guard changed, let value, value != 0 else { continue }
                guard guest.vmwriteAnyField else {
                    return .failure(PlanRefusal(reason: "sets read-only field \(Hex.compact(UInt64(encoding))), which VMWRITE cannot write here (IA32_VMX_MISC[29] = 0)"))
                }
                out.append(.init(encoding, value))
            } else if !changed, onlyChanged {
                continue
            } else if !changed, let h = harness[encoding] {
                out.append(.init(encoding, h))
            } else if let value {
                if changed, addressFields.contains(encoding) {
                    switch moved(value, "field \(Hex.compact(UInt64(encoding)))") {
                    case .success(let at): out.append(.init(encoding, at))
                    case .failure(let refusal): return .failure(refusal)
                    }
                } else {
                    out.append(.init(encoding, value))
                }
            } else if let h = harness[encoding] {
                out.append(.init(encoding, h))
            }
        }
        guard out.count <= Layout.maxWrites else {
            return .failure(PlanRefusal(reason: "\(out.count) VMCS fields, more than the harness's table holds"))
        }
        return .success(out)
    }

    /// The model's outcome for the vector on a CPU with the guest's capabilities.
    /// `perfGlobalCtrlBits`: the bits of IA32_PERF_GLOBAL_CTRL the guest's CPUID leaf 0AH defines
    /// (`definedPerfGlobalCtrlBits`), for a vector that does not set them itself: on a real guest
    /// the PMU is known, and KVM checks the PERF_GLOBAL_CTRL fields against it.
    public static func modelOutcome(_ vector: ConformanceVector, guest: VMXCapabilityMSRs, perfGlobalCtrlBits: UInt64? = nil) -> Outcome? {
        guard var state = try? vector.initialState(guest) else { return nil }
        if state.perfGlobalCtrlBits == nil { state.perfGlobalCtrlBits = perfGlobalCtrlBits }
        return InstructionModel.standard(vector.instruction).execute(&state, vector.operands)
    }

    /// IA32_PERF_GLOBAL_CTRL's defined bits for a CPU with these CPUID leaves (SDM Vol.3B 20.2.2):
    /// an enable per general-purpose counter (leaf 0AH EAX[15:8]) from bit 0 and, from version 2,
    /// per fixed counter (EDX[4:0]) from bit 32; none without leaf 0AH or with version 0 (KVM's
    /// intel_pmu_refresh builds global_ctrl_mask, which kvm_valid_perf_global_ctrl checks, the same way).
    public static func definedPerfGlobalCtrlBits(_ leaves: [CPUIDLeaf]) -> UInt64 {
        guard let pmu = leaves.first(where: { $0.leaf == 0xA }), pmu.eax & 0xFF != 0 else { return 0 }
        let general = UInt64(1) << min(UInt64(pmu.eax >> 8 & 0xFF), 32) &- 1
        let fixed = pmu.eax & 0xFF > 1 ? UInt64(1) << UInt64(pmu.edx & 0x1F) &- 1 : 0
        return general & 0xFFFF_FFFF | fixed << 32
    }

    /// What the guest did, in the vectors' outcome spelling: the instruction's exception, the
    /// VMX status RFLAGS shows (with the VM-instruction error after VMfailValid), the exit at the
    /// host RIP (a VM exit from the nested guest: entered; an exit reason with bit 31: a failed
    /// VM entry), or RFLAGS untouched (done); nil with the reason when the set-up failed or the
    /// run said nothing.
    public static func observed(_ report: VMXCaseReport) -> (outcome: String?, detail: String) {
        let stepName = VMXGuestProgram.Step(rawValue: report.step).map { "\($0)" } ?? "start"
        let atInstruction = report.step == VMXGuestProgram.Step.instruction.rawValue
        if let fault = report.fault {
            let name = OnCPUReport.faultName(fault)
            // Only the nested guest runs at its first instruction, and its own exceptions exit to
            // L1 (exception bitmap all ones): an event taken there is the one VM entry injected,
            // delivered through the nested guest's IDT (SDM 27.6: injection ignores the bitmap).
            if atInstruction, fault.rip == UInt64(GuestMemoryLayout.Harness.l2Code) {
                return (Outcome.entered.description, "the nested guest was entered and took the injected \(name) through its IDT at RIP \(Hex.compact(fault.rip))")
            }
            guard fault.rip == report.instructionRIP else {
                return (nil, "the set-up faulted before the instruction: L1 took \(name) at RIP \(Hex.compact(fault.rip)) (step \(stepName))")
            }
            return (name, "L1 took \(name) at RIP \(Hex.compact(fault.rip))")
        }
        guard report.halted else { return (nil, report.error ?? "L1 neither halted nor faulted") }
        if report.setupFlags == 0, atInstruction {
            // L1 goes on to store its results after every instruction but a VM entry: halted here,
            // the nested guest was entered in the HLT activity state, which KVM runs by halting the vCPU.
            return (Outcome.entered.description, "the vCPU halted at the instruction: the nested guest was entered in the HLT activity "
                + "state (KVM halts the vCPU for it)")
        }
        if report.setupFlags == 0, report.step != VMXGuestProgram.Step.reported.rawValue {
            return (nil, "the vCPU halted at step \(stepName) before L1 reported: not L1's HLT (a nested guest entered in the "
                + "HLT activity state halts the vCPU under KVM)")
        }
        if report.setupFlags != 0 {
            return (nil, "the set-up's \(stepName) failed (RFLAGS \(Hex.compact(report.setupFlags))"
                + (report.step == VMXGuestProgram.Step.vmwrite.rawValue ? ", \(report.writesLeft) VMWRITEs left" : "") + ")")
        }
        if report.exited {
            let reason = UInt32(truncatingIfNeeded: report.exitReason)
            if reason & VMXExitReason.entryFailureBit != 0 {
                let text = Outcome.entryFailure(reason: reason, qualification: report.exitQualification).description
                return (text, "VM entry failed: exit reason \(Hex.compact(report.exitReason)), qualification \(Hex.compact(report.exitQualification))")
            }
            return (Outcome.entered.description, "the nested guest ran; VM exit reason \(reason)")
        }
        let status = report.rflags & VMXGuestProgram.statusFlags
        switch status {
        case 0: return (Outcome.vmSucceed.description, "RFLAGS \(Hex.compact(report.rflags)): VMsucceed")
        case 1: return (Outcome.vmFailInvalid.description, "RFLAGS \(Hex.compact(report.rflags)): CF, VMfailInvalid")
        case 0x40:
            return ("VMfailValid(\(report.instructionError))", "RFLAGS \(Hex.compact(report.rflags)): ZF, VM-instruction error \(report.instructionError)")
        case VMXGuestProgram.statusFlags:
            return (Outcome.completed.description, "RFLAGS \(Hex.compact(report.rflags)): unchanged, no VMX status; RAX \(Hex.compact(report.raxAfter))")
        default:
            return ("rflags(\(Hex.compact(report.rflags)))", "RFLAGS \(Hex.compact(report.rflags)) is no VMX status")
        }
    }
}
