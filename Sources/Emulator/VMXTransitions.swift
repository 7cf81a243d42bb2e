/// The state VM entry and VM exit move (SDM Vol.3C chapters 27 and 28): loading the guest from
/// the VMCS and the VM-entry MSR-load area (27.3.2, 27.4), saving the guest and the exit
/// information (28.2, 28.3), the VM-exit MSR-store area (28.4), loading the host (28.5), the
/// VM-exit MSR-load area (28.6) and VMX abort (28.7).
public enum VMXTransitions {
    typealias F = VMCSFieldEncoding

    /// Exit controls (SDM 25.7.1 Table 25-13) and entry controls (25.8.1 Table 25-15) the transitions read.
    enum ExitControl: Int { case saveDebug = 2, hostAddressSpaceSize = 9, loadPerfGlobalCtrl = 12, savePAT = 18, loadPAT = 19, saveEFER = 20, loadEFER = 21 }
    enum EntryControl: Int { case loadDebug = 2, ia32eModeGuest = 9, loadPerfGlobalCtrl = 13, loadPAT = 14, loadEFER = 15 }

    static func exitControl(_ s: MachineState, _ c: ExitControl) -> Bool { s.currentField(F.exitControls) >> UInt64(c.rawValue) & 1 == 1 }
    static func entryControl(_ s: MachineState, _ c: EntryControl) -> Bool { s.currentField(F.entryControls) >> UInt64(c.rawValue) & 1 == 1 }

    /// Bit 10 of IA32_EFER (LMA) and bit 8 (LME).
    static let eferLMA: UInt64 = 1 << 10
    static let eferLME: UInt64 = 1 << 8

    // MARK: MSR areas

    /// One 16-byte MSR-area entry (SDM 25.7.2 Table 25-15): bits 31:0 MSR index, 63:32
    /// reserved, 127:64 data. In the model's memory: the quadword at the entry's address holds
    /// index and reserved bits, the next one the data.
    struct MSREntry {
        var index: UInt32
        var reserved: UInt32
        var data: UInt64
        /// Where the data quadword lives.
        var dataAddress: UInt64
    }

    /// The most entries an area may have: 512 * (IA32_VMX_MISC[27:25] + 1), the SDM A.6
    /// recommended maximum, which KVM enforces (nested_vmx_load_msr fails the entry past it).
    /// It also bounds the model's work for any count a vector gives.
    static func maximumEntries(_ s: MachineState) -> UInt64 { 512 * ((s.capabilities.misc >> 25 & 7) + 1) }

    /// Entry `i` (0-based) of the area at `address`, or nil when it lies beyond 2^64.
    static func entry(_ s: MachineState, address: UInt64, _ i: UInt64) -> MSREntry? {
        let (at, overflow) = address.addingReportingOverflow(16 * i)
        guard !overflow, at <= UInt64.max - 15 else { return nil }
        let head = s.memory[at] ?? 0
        return MSREntry(index: UInt32(truncatingIfNeeded: head), reserved: UInt32(truncatingIfNeeded: head >> 32),
                        data: s.memory[at + 8] ?? 0, dataAddress: at + 8)
    }

    /// The area check of SDM 27.2.1.2 / 27.2.1.3: with a non-zero count, the address is 16-byte
    /// aligned and neither it nor its last byte sets a bit beyond the physical-address width.
    static func areaIsValid(_ s: MachineState, address: UInt64, count: UInt64) -> Bool {
        guard count != 0 else { return true }
        let (size, o1) = count.multipliedReportingOverflow(by: 16)
        let (last, o2) = address.addingReportingOverflow(size &- 1)
        let width = UInt64(s.capabilities.physicalAddressWidth)
        return !o1 && !o2 && address & 0xF == 0 && address >> width == 0 && last >> width == 0
    }

    /// An entry no MSR-load area may hold (SDM 27.4, 28.6; KVM nested_vmx_load_msr_check): bits
    /// 63:32 set, an x2APIC MSR (index 0x800-0x8FF), IA32_FS_BASE, IA32_GS_BASE,
    /// IA32_SMM_MONITOR_CTL, or the microcode-update MSRs.
    static func cannotLoad(_ e: MSREntry) -> Bool {
        e.reserved != 0 || e.index >> 8 == 0x8
            || [ModelMSR.fsBase, .gsBase, .smmMonitorControl, .microcodeUpdate, .microcodeRevision]
                .contains { $0.rawValue == e.index }
    }

    /// An entry the MSR-store area may not hold (SDM 28.4): bits 63:32 set, an x2APIC MSR, the
    /// microcode-update MSRs or IA32_SMBASE (0x9E).
    static func cannotStore(_ e: MSREntry) -> Bool {
        e.reserved != 0 || e.index >> 8 == 0x8 || e.index == 0x9E
            || e.index == ModelMSR.microcodeUpdate.rawValue || e.index == ModelMSR.microcodeRevision.rawValue
    }

    /// Loads an area in order; returns the 1-based number of the first entry that cannot be
    /// loaded (earlier entries stay loaded), nil when all were.
    static func loadMSRs(_ s: inout MachineState, address: UInt64, count: UInt64) -> UInt64? {
        for i in 0..<count {
            guard i < maximumEntries(s), let e = entry(s, address: address, i), !cannotLoad(e) else { return i + 1 }
            s.setMSR(e.index, e.data)
        }
        return nil
    }

    // MARK: VM entry

    /// SDM 27.3.2 "Loading Guest State" and 27.4 "Loading MSRs". Returns the 1-based number of
    /// the MSR-load entry that failed, nil when the guest was entered.
    static func loadGuest(_ s: inout MachineState) -> UInt64? {
        let ia32e = entryControl(s, .ia32eModeGuest)
        s.cr0 = s.currentField(F.guestCR0)
        s.cr3 = s.currentField(F.guestCR3)
        s.cr4 = s.currentField(F.guestCR4)
        s.setMSR(ModelMSR.sysenterCS.rawValue, s.currentField(F.guestSysenterCS) & 0xFFFF_FFFF)
        s.setMSR(ModelMSR.sysenterESP.rawValue, s.currentField(F.guestSysenterESP))
        s.setMSR(ModelMSR.sysenterEIP.rawValue, s.currentField(F.guestSysenterEIP))
        if entryControl(s, .loadPAT) { s.setMSR(ModelMSR.pat.rawValue, s.currentField(F.guestPAT)) }
        if entryControl(s, .loadPerfGlobalCtrl) { s.setMSR(ModelMSR.perfGlobalCtrl.rawValue, s.currentField(F.guestPerfGlobalCtrl)) }
        if entryControl(s, .loadEFER) {
            s.efer = s.currentField(F.guestEFER)
        } else {
            // SDM 27.3.2.1: without "load IA32_EFER", LMA takes "IA-32e mode guest" and LME does
            // too when CR0.PG = 1.
            s.efer = s.efer & ~eferLMA | (ia32e ? eferLMA : 0)
            if s.cr0 >> 31 == 1 { s.efer = s.efer & ~eferLME | (ia32e ? eferLME : 0) }
        }
        for register in SegmentRegister.allCases {
            s.segments[register] = Segment(selector: UInt16(truncatingIfNeeded: s.currentField(register.guestSelectorField)),
                                           attributes: UInt32(truncatingIfNeeded: s.currentField(register.guestAccessRightsField)),
                                           limit: UInt32(truncatingIfNeeded: s.currentField(register.guestLimitField)),
                                           base: s.currentField(register.guestBaseField))
        }
        for name in DescriptorTableRegister.Name.allCases {
            s.descriptorTables[name] = DescriptorTableRegister(base: s.currentField(name.guestBaseField),
                                                               limit: UInt32(truncatingIfNeeded: s.currentField(name.guestLimitField)))
        }
        s.csL = s.segment(.cs).l
        s.cpl = Int(s.segment(.ss).attributes >> 5 & 3)
        s.rip = s.currentField(F.guestRIP)
        s.rsp = s.currentField(F.guestRSP)
        s.rflags = s.currentField(F.guestRFLAGS)
        let interruptibility = s.currentField(F.guestInterruptibility)
        s.stiBlocking = interruptibility & 1 == 1
        s.movSSBlocking = interruptibility >> 1 & 1 == 1
        s.mode = .nonRoot
        return loadMSRs(&s, address: s.currentField(F.entryMSRLoadAddress), count: s.currentField(F.entryMSRLoadCount) & 0xFFFF_FFFF)
    }

    // MARK: VM exit

    /// A VM exit from non-root operation (SDM 28.1-28.6): the exit information, the guest state
    /// saved, the guest MSRs stored, the host loaded. Returns the outcome (a VMX abort when an
    /// MSR area fails). For the VMX instructions with operands the qualification is the
    /// displacement (SDM 28.2.1) and the instruction-information field describes the operands
    /// (SDM 28.2.5); other exits the model produces have qualification 0.
    static func exit(_ s: inout MachineState, reason: VMXExitReason, operands: Operands) -> Outcome {
        let current = s.currentVMCS
        let layout = OperandEncoding.Layout(reason)
        s.vmcs[current]?[F.exitReason] = UInt64(reason.rawValue)
        s.vmcs[current]?[F.exitQualification] = layout == nil ? 0 : operands.form.qualification(registerForm: operands.registerForm)
        if let layout {
            let information = operands.form.information(layout, registerForm: operands.registerForm, s)
            s.vmcs[current]?[F.exitInstructionInfo] = information
        }
        s.vmcs[current]?[F.exitInstructionLength] = s.instructionLength
        s.vmcs[current]?[F.exitInterruptionInfo] = 0
        saveGuest(&s)
        let storeAddress = s.currentField(F.exitMSRStoreAddress)
        for i in 0..<(s.currentField(F.exitMSRStoreCount) & 0xFFFF_FFFF) {
            guard i < maximumEntries(s), let e = entry(s, address: storeAddress, i), !cannotStore(e) else {
                return abort(&s, .savingGuestMSRs)
            }
            s.memory[e.dataAddress] = s.msr(e.index)
        }
        // SDM 28.7 indicator 6 (2008 edition 23.7): the exit leaves IA-32e mode, which only a
        // 64-bit host can be in ("host address-space size" = 1): a guest that turned IA-32e mode
        // on itself under a 32-bit host cannot return to it.
        if s.efer & eferLMA != 0 && !exitControl(s, .hostAddressSpaceSize) {
            return abort(&s, .ia32eModeWithoutHostAddressSpaceSize)
        }
        return loadHost(&s) ?? .vmExit(reason)
    }

    /// A VM-entry failure after the entry checks passed (SDM 27.8): exit reason with bit 31, the
    /// qualification, and the host loaded as by a VM exit; no guest state is saved.
    static func entryFailure(_ s: inout MachineState, reason: VMXExitReason, qualification: UInt64) -> Outcome {
        let current = s.currentVMCS
        let value = reason.entryFailure
        s.vmcs[current]?[F.exitReason] = UInt64(value)
        s.vmcs[current]?[F.exitQualification] = qualification
        return loadHost(&s) ?? .entryFailure(reason: value, qualification: qualification)
    }

    /// SDM 28.3 "Saving Guest State": control registers, RIP, RSP, RFLAGS, segment registers,
    /// GDTR and IDTR, SYSENTER MSRs, IA32_EFER/PAT per the exit controls, interruptibility.
    static func saveGuest(_ s: inout MachineState) {
        let current = s.currentVMCS
        func put(_ field: UInt32, _ value: UInt64) { s.vmcs[current]?[field] = value }
        put(F.guestCR0, s.cr0)
        put(F.guestCR3, s.cr3)
        put(F.guestCR4, s.cr4)
        put(F.guestRIP, s.rip)
        put(F.guestRSP, s.rsp)
        put(F.guestRFLAGS, s.rflags)
        for register in SegmentRegister.allCases {
            let segment = s.segment(register)
            put(register.guestSelectorField, UInt64(segment.selector))
            put(register.guestAccessRightsField, UInt64(segment.attributes))
            put(register.guestLimitField, UInt64(segment.limit))
            put(register.guestBaseField, segment.base)
        }
        for name in DescriptorTableRegister.Name.allCases {
            put(name.guestBaseField, s.descriptorTable(name).base)
            put(name.guestLimitField, UInt64(s.descriptorTable(name).limit))
        }
        put(F.guestSysenterCS, s.msr(ModelMSR.sysenterCS.rawValue) & 0xFFFF_FFFF)
        put(F.guestSysenterESP, s.msr(ModelMSR.sysenterESP.rawValue))
        put(F.guestSysenterEIP, s.msr(ModelMSR.sysenterEIP.rawValue))
        if exitControl(s, .saveEFER) { put(F.guestEFER, s.efer) }
        if exitControl(s, .savePAT) { put(F.guestPAT, s.msr(ModelMSR.pat.rawValue)) }
        put(F.guestInterruptibility, (s.stiBlocking ? 1 : 0) | (s.movSSBlocking ? 2 : 0))
    }

    /// SDM 28.5 "Loading Host State" and 28.6 "Loading MSRs". Returns a VMX abort outcome when
    /// the exit MSR-load area fails, nil otherwise.
    static func loadHost(_ s: inout MachineState) -> Outcome? {
        let hostLong = exitControl(s, .hostAddressSpaceSize)
        // 28.5.1: CR0 from the field except ET, CD, NW, bits 63:32, 28:19, 17, 15:6, which keep their value.
        let kept: UInt64 = 0xFFFF_FFFF_0000_0000 | 1 << 4 | 1 << 29 | 1 << 30 | 0x1FF8_0000 | 1 << 17 | 0xFFC0
        s.cr0 = s.cr0 & kept | s.currentField(F.hostCR0) & ~kept
        s.cr3 = s.currentField(F.hostCR3)
        s.cr4 = s.currentField(F.hostCR4)
        s.setMSR(ModelMSR.sysenterCS.rawValue, s.currentField(F.hostSysenterCS) & 0xFFFF_FFFF)
        s.setMSR(ModelMSR.sysenterESP.rawValue, s.currentField(F.hostSysenterESP))
        s.setMSR(ModelMSR.sysenterEIP.rawValue, s.currentField(F.hostSysenterEIP))
        if exitControl(s, .loadPAT) { s.setMSR(ModelMSR.pat.rawValue, s.currentField(F.hostPAT)) }
        if exitControl(s, .loadPerfGlobalCtrl) { s.setMSR(ModelMSR.perfGlobalCtrl.rawValue, s.currentField(F.hostPerfGlobalCtrl)) }
        if exitControl(s, .loadEFER) { s.efer = s.currentField(F.hostEFER) }
        // LMA and LME take "host address-space size" either way (28.5.1).
        s.efer = s.efer & ~(eferLMA | eferLME) | (hostLong ? eferLMA | eferLME : 0)
        // 28.5.2: segment registers.
        func selector(_ r: SegmentRegister) -> UInt16 { UInt16(truncatingIfNeeded: s.currentField(F.hostSelectors[r] ?? 0)) }
        s.segments[.cs] = Segment(selector: selector(.cs), attributes: 0x809B | (hostLong ? 1 << 13 : 1 << 14),
                                  limit: 0xFFFF_FFFF, base: 0)
        for r in [SegmentRegister.ss, .ds, .es, .fs, .gs] {
            let sel = selector(r)
            let base: UInt64 = r == .fs ? s.currentField(F.hostFSBase) : r == .gs ? s.currentField(F.hostGSBase) : 0
            s.segments[r] = Segment(selector: sel, attributes: 0xC093 | (sel == 0 ? Segment.unusable : 0),
                                    limit: 0xFFFF_FFFF, base: base)
        }
        s.segments[.tr] = Segment(selector: selector(.tr), attributes: 0x8B, limit: 0x67, base: s.currentField(F.hostTRBase))
        s.segments[.ldtr] = Segment()
        for name in DescriptorTableRegister.Name.allCases {
            s.descriptorTables[name] = DescriptorTableRegister(base: s.currentField(name.hostBaseField), limit: DescriptorTableRegister.hostLimit)
        }
        s.csL = hostLong
        s.cpl = 0
        // 28.5.3: RIP, RSP, RFLAGS.
        s.rip = s.currentField(F.hostRIP)
        s.rsp = s.currentField(F.hostRSP)
        s.rflags = 0x2
        s.stiBlocking = false
        s.movSSBlocking = false
        s.mode = .root
        // 28.5.4: a PAE host (CR0.PG = CR4.PAE = 1 outside IA-32e mode) loads its four PDPTEs from
        // CR3 (bits 31:5); a present one with a reserved bit set is VMX abort 2.
        if s.cr0 >> 31 == 1 && s.cr4 >> 5 & 1 == 1 && s.efer & eferLMA == 0 && pdptes(s, cr3: s.cr3).contains(where: { isBadPDPTE($0, s) }) {
            return abort(&s, .hostPDPTEs)
        }
        if loadMSRs(&s, address: s.currentField(F.exitMSRLoadAddress), count: s.currentField(F.exitMSRLoadCount) & 0xFFFF_FFFF) != nil {
            return abort(&s, .loadingHostMSRs)
        }
        return nil
    }

    /// Reserved bits of a PAE PDPTE below MAXPHYADDR: 2:1 and 8:5 (SDM Vol.3A 4.4.1, Table 4-8).
    static let pdpteReserved: UInt64 = 0x1E6

    /// The four PDPTEs PAE paging loads from the 32-byte aligned table CR3 bits 31:5 locate
    /// (SDM Vol.3A 4.4.1).
    static func pdptes(_ s: MachineState, cr3: UInt64) -> [UInt64] {
        let table = cr3 & 0xFFFF_FFE0
        return (0..<4).map { s.memory[table + 8 * UInt64($0)] ?? 0 }
    }

    /// A present PDPTE (bit 0) that sets a reserved bit: 2:1, 8:5 or one at or beyond MAXPHYADDR.
    static func isBadPDPTE(_ entry: UInt64, _ s: MachineState) -> Bool {
        let reserved = pdpteReserved | ~((1 << UInt64(s.capabilities.physicalAddressWidth)) &- 1)
        return entry & 1 == 1 && entry & reserved != 0
    }

    /// IA32_EFER bits that are not reserved: SCE (0), LME (8), LMA (10), NXE (11) — the
    /// modelled CPUs' (SDM Vol.4 Table 2-2; SVME is AMD's).
    static let eferDefined: UInt64 = 0xD01

    /// A value WRMSR may write to IA32_PAT: every byte one of the memory types 0 (UC), 1 (WC),
    /// 4 (WT), 5 (WP), 6 (WB), 7 (UC-) (SDM 27.2.2, 27.3.1.1; Vol.3A 13.12.2).
    static func isValidPAT(_ pat: UInt64) -> Bool {
        (0..<8).allSatisfy { [0, 1, 4, 5, 6, 7].contains(pat >> (8 * UInt64($0)) & 0xFF) }
    }

    /// SDM 28.7 "VMX Aborts": the indicator goes to bytes 4-7 of the current VMCS region and the
    /// processor enters the shutdown state.
    static func abort(_ s: inout MachineState, _ indicator: VMXAbortIndicator) -> Outcome {
        s.vmcs[s.currentVMCS]?.abortIndicator = indicator.rawValue
        s.shutdown = true
        return .vmxAbort(indicator)
    }
}
