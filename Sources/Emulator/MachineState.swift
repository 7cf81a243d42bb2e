/// Everything an VMX or SVM instruction reads or writes: the processor's mode and control
/// registers, the VMX pointers, physical memory holding VMCS regions and VMCBs, and the
/// capabilities that make the model behave as one particular CPU.
public struct MachineState: Codable, Sendable, Hashable {
    /// FFFFFFFF_FFFFFFFFH, the value of an invalid current-VMCS or VMCS-link pointer (SDM 31.2).
    public static let invalidPointer = UInt64.max

    public var capabilities: VMXCapabilityMSRs
    /// CPUID 0x80000001 ECX[12]: SKINIT/STGI exist even with EFER.SVME = 0.
    public var skinitSupported: Bool

    public var mode: VMXMode
    public var cpl: Int
    public var cr0: UInt64
    public var cr4: UInt64
    public var efer: UInt64
    public var rflags: UInt64
    /// CS.L of the code executing the instruction (64-bit code segment).
    public var csL: Bool
    /// IA32_FEATURE_CONTROL (0x3A): bit 0 lock, bit 1 VMX inside SMX, bit 2 VMX outside SMX.
    public var featureControl: UInt64
    /// In SMX operation (after GETSEC[SENTER]).
    public var smx: Bool
    /// A20M (address-20 masking) is in effect.
    public var a20m: Bool
    /// In system-management mode.
    public var smm: Bool
    /// IA32_SMM_MONITOR_CTL[0]: an SMM monitor is configured.
    public var smmMonitorValid: Bool
    /// The dual-monitor treatment of SMIs and SMM is active.
    public var dualMonitorActive: Bool
    /// Events are blocked by MOV SS / POP SS (the previous instruction loaded SS).
    public var movSSBlocking: Bool
    /// Events are blocked by STI (interruptibility-state bit 0).
    public var stiBlocking: Bool
    /// RIP of the instruction executing, its length in bytes, RSP and RAX.
    public var rip: UInt64
    public var instructionLength: UInt64
    public var rsp: UInt64
    public var rax: UInt64
    public var cr3: UInt64
    /// ES, CS, SS, DS, FS, GS, LDTR, TR (hidden parts included).
    public var segments: [SegmentRegister: Segment]
    /// GDTR and IDTR.
    public var descriptorTables: [DescriptorTableRegister.Name: DescriptorTableRegister]
    /// MSR values by index (the MSR-load/store areas, VMLOAD/VMSAVE, SYSENTER); unset reads 0.
    /// IA32_EFER lives in `efer`, IA32_FS_BASE/GS_BASE in the FS/GS segment bases.
    public var msrs: [UInt32: UInt64]
    /// After a VMX abort the processor is in the shutdown state (SDM 28.7).
    public var shutdown: Bool

    /// The VMXON pointer; nil outside VMX operation.
    public var vmxonPointer: UInt64?
    /// The current-VMCS pointer (`invalidPointer` when there is none).
    public var currentVMCS: UInt64
    /// Physical memory holding VMCS and VMXON regions, by page address.
    public var vmcs: [UInt64: VMCSRegion]
    /// Other physical memory, by quadword address (EPTP lists, VMPTRST destinations); unset reads 0.
    public var memory: [UInt64: UInt64]
    /// Set bits of the VMREAD and VMWRITE bitmaps (indexed by encoding bits 14:0) of the current VMCS.
    public var vmreadBitmap: Set<UInt32>
    public var vmwriteBitmap: Set<UInt32>
    /// The register or memory destination of the last VMREAD.
    public var destination: UInt64?

    /// VM_CR (0xC001_0114): bit 3 LOCK, bit 4 SVMDIS.
    public var vmCR: UInt64
    /// VM_HSAVE_PA (0xC001_0117).
    public var hsavePA: UInt64
    /// The global interrupt flag.
    public var gif: Bool
    /// Executing inside an SVM guest (after VMRUN, before #VMEXIT).
    public var svmGuest: Bool
    /// The VMCB the running SVM guest was entered with.
    public var guestVMCB: UInt64?
    /// VMCBs in physical memory, by page address (the host-save area at VM_HSAVE_PA included).
    public var vmcbs: [UInt64: VMCB]
    /// CPUID 8000_000A EDX: SVM features (bit 3 NRIP save; svm_cpuid_bits.tsv).
    public var svmFeatures: UInt64
    /// The bits IA32_PERF_GLOBAL_CTRL defines on this CPU (CPUID 0AH: one enable per
    /// general-purpose counter, EAX[15:8], from bit 0; one per fixed counter, EDX[4:0], from
    /// bit 32; SDM Vol.3B Figure 20-3). nil when unknown (the VMX capability MSRs do not say):
    /// VM entry's checks of that MSR's VMCS fields (SDM 27.2.2, 27.3.1.1) are then not made.
    public var perfGlobalCtrlBits: UInt64?

    public init(capabilities: VMXCapabilityMSRs, skinitSupported: Bool = false, mode: VMXMode = .outside, cpl: Int = 0,
                cr0: UInt64, cr4: UInt64, efer: UInt64, rflags: UInt64 = 0x2, csL: Bool = true,
                featureControl: UInt64 = 0x5, smx: Bool = false, a20m: Bool = false, smm: Bool = false,
                smmMonitorValid: Bool = false, dualMonitorActive: Bool = false, movSSBlocking: Bool = false,
                stiBlocking: Bool = false, rip: UInt64 = 0, instructionLength: UInt64 = 3, rsp: UInt64 = 0, rax: UInt64 = 0,
                cr3: UInt64 = 0, segments: [SegmentRegister: Segment] = [:],
                descriptorTables: [DescriptorTableRegister.Name: DescriptorTableRegister] = [:], msrs: [UInt32: UInt64] = [:], shutdown: Bool = false,
                vmxonPointer: UInt64? = nil, currentVMCS: UInt64 = MachineState.invalidPointer,
                vmcs: [UInt64: VMCSRegion] = [:], memory: [UInt64: UInt64] = [:],
                vmreadBitmap: Set<UInt32> = [], vmwriteBitmap: Set<UInt32> = [], destination: UInt64? = nil,
                vmCR: UInt64 = 0, hsavePA: UInt64 = 0, gif: Bool = true, svmGuest: Bool = false, guestVMCB: UInt64? = nil,
                vmcbs: [UInt64: VMCB] = [:], svmFeatures: UInt64 = 0, perfGlobalCtrlBits: UInt64? = nil) {
        self.capabilities = capabilities
        self.skinitSupported = skinitSupported
        self.mode = mode
        self.cpl = cpl
        self.cr0 = cr0
        self.cr4 = cr4
        self.efer = efer
        self.rflags = rflags
        self.csL = csL
        self.featureControl = featureControl
        self.smx = smx
        self.a20m = a20m
        self.smm = smm
        self.smmMonitorValid = smmMonitorValid
        self.dualMonitorActive = dualMonitorActive
        self.movSSBlocking = movSSBlocking
        self.stiBlocking = stiBlocking
        self.rip = rip
        self.instructionLength = instructionLength
        self.rsp = rsp
        self.rax = rax
        self.cr3 = cr3
        self.segments = segments
        self.descriptorTables = descriptorTables
        self.msrs = msrs
        self.shutdown = shutdown
        self.vmxonPointer = vmxonPointer
        self.currentVMCS = currentVMCS
        self.vmcs = vmcs
        self.memory = memory
        self.vmreadBitmap = vmreadBitmap
        self.vmwriteBitmap = vmwriteBitmap
        self.destination = destination
        self.vmCR = vmCR
        self.hsavePA = hsavePA
        self.gif = gif
        self.svmGuest = svmGuest
        self.guestVMCB = guestVMCB
        self.vmcbs = vmcbs
        self.svmFeatures = svmFeatures
        self.perfGlobalCtrlBits = perfGlobalCtrlBits
    }

    // MARK: derived state

    /// A segment register (an unset one reads as a null, unusable register).
    public func segment(_ register: SegmentRegister) -> Segment { segments[register] ?? Segment() }

    /// GDTR or IDTR (an unset one reads as base 0, limit 0).
    public func descriptorTable(_ name: DescriptorTableRegister.Name) -> DescriptorTableRegister {
        descriptorTables[name] ?? DescriptorTableRegister()
    }

    /// RDMSR's view: IA32_EFER and the FS/GS bases live in their registers.
    public func msr(_ index: UInt32) -> UInt64 {
        switch ModelMSR(rawValue: index) {
        case .efer: efer
        case .fsBase: segment(.fs).base
        case .gsBase: segment(.gs).base
        default: msrs[index] ?? 0
        }
    }

    /// WRMSR's effect on the modelled state.
    public mutating func setMSR(_ index: UInt32, _ value: UInt64) {
        switch ModelMSR(rawValue: index) {
        case .efer: efer = value
        case .fsBase: segments[.fs, default: Segment()].base = value
        case .gsBase: segments[.gs, default: Segment()].base = value
        default: msrs[index] = value
        }
    }

    /// CPUID 8000_000A EDX[3]: #VMEXIT saves the next sequential RIP in the VMCB (APM 15.7.1).
    public var nripSave: Bool { svmFeatures >> 3 & 1 == 1 }

    /// IA32_EFER.LMA = 1 and CS.L = 0.
    public var compatibilityMode: Bool { efer >> 10 & 1 == 1 && !csL }
    /// IA32_EFER.LMA = 1 and CS.L = 1: operands are 64 bits wide.
    public var longMode64: Bool { efer >> 10 & 1 == 1 && csL }
    /// RFLAGS.VM.
    public var virtual8086: Bool { rflags >> 17 & 1 == 1 }
    /// CR0.PE.
    public var protectedMode: Bool { cr0 & 1 == 1 }
    public var inVMXOperation: Bool { mode != .outside }
    /// A current VMCS exists.
    public var hasCurrentVMCS: Bool { currentVMCS != Self.invalidPointer }

    /// The VMCS whose fields VMREAD/VMWRITE and VMfailValid use: the current VMCS in VMX root
    /// operation, the VMCS referenced by the VMCS-link pointer (the shadow VMCS) in non-root
    /// operation (SDM 25.10, "VMCS shadowing").
    public var workingVMCS: UInt64 {
        mode == .nonRoot ? vmcsLinkPointer : currentVMCS
    }

    /// A field of the current VMCS (0 when there is none).
    public func currentField(_ encoding: UInt32) -> UInt64 {
        vmcs[currentVMCS]?[encoding] ?? 0
    }

    /// VMCS-link pointer field (0x2800) of the current VMCS.
    public var vmcsLinkPointer: UInt64 {
        hasCurrentVMCS ? vmcs[currentVMCS]?.fields[VMCSFieldEncoding.vmcsLinkPointer] ?? Self.invalidPointer : Self.invalidPointer
    }

    /// Secondary processor-based control `bit` is in effect in the current VMCS (the primary
    /// control "activate secondary controls", bit 31, is 1 and the secondary bit is 1).
    public func secondaryControl(_ bit: Int) -> Bool {
        currentField(VMCSFieldEncoding.procbasedControls) >> 31 & 1 == 1
            && currentField(VMCSFieldEncoding.secondaryControls) >> UInt64(bit) & 1 == 1
    }

    /// The dword at a physical address: a VMCS region's header, else ordinary memory.
    public func dword(at address: UInt64) -> UInt32 {
        if let region = vmcs[address] { return region.header }
        return UInt32(truncatingIfNeeded: memory[address] ?? 0)
    }
}
