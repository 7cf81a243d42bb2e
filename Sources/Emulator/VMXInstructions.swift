/// The VMX instructions' check lists, row by row as the SDM "Operation" sections order them
/// (Data/spec/README.md cites the rows; /work/shared/spec/vmx_instructions.md has the flattened
/// lists with their cross-checks against Bochs, KVM and Xen). Where the SDM nests a check in a
/// branch, the condition here carries the branch's test, so each row stands alone and the list
/// can be reordered by the mutation check.
public enum VMXInstructions {
    // MARK: shared rows

    /// UD-GEN: not in VMX operation, real mode, virtual-8086 mode or compatibility mode.
    static func udGeneric(_ name: String, memoryOnly: Bool = false) -> Check {
        Check("\(name).ud", "SDM \(name.uppercased()) #UD row", .fault(.ud)) { s, o in
            (memoryOnly && o.registerForm) || !s.inVMXOperation || !s.protectedMode || s.virtual8086 || s.compatibilityMode
        }
    }

    static func exitInNonRoot(_ name: String, _ reason: VMXExitReason) -> Check {
        Check("\(name).exit", "SDM \(name.uppercased()) non-root row; SDM 26.1.2", .vmExit(reason)) { s, _ in s.mode == .nonRoot }
    }

    static func cplCheck(_ name: String) -> Check {
        Check("\(name).cpl", "SDM \(name.uppercased()) CPL > 0 row", .fault(.gp)) { s, _ in s.cpl > 0 }
    }

    static func operandFault(_ name: String) -> Check {
        Check("\(name).operand", "SDM \(name.uppercased()) memory-operand faults", .operandFault) { _, o in
            !o.registerForm && o.memoryFault != nil
        }
    }

    /// The operand as a register of the current operand size (32 bits outside 64-bit mode).
    static func operandSized(_ value: UInt64, _ s: MachineState) -> UInt64 {
        s.longMode64 ? value : value & 0xFFFF_FFFF
    }

    /// CRx holds every bit FIXED0 requires and none FIXED1 forbids (SDM A.7, A.8).
    static func fixedBitsHold(_ value: UInt64, fixed0: UInt64, fixed1: UInt64) -> Bool {
        value & fixed0 == fixed0 && value & ~fixed1 == 0
    }

    /// Canonical for 48-bit linear addresses: bits 63:47 all equal.
    static func isCanonical(_ address: UInt64) -> Bool {
        let top = address >> 47
        return top == 0 || top == 0x1_FFFF
    }

    // MARK: VMXON (SDM 31.3 "VMXON")

    static let vmxon = InstructionModel(.vmxon, checks: [
        Check("vmxon.ud", "SDM VMXON row 1", .fault(.ud)) { s, o in
            o.registerForm || !s.protectedMode || s.cr4 >> 13 & 1 == 0 || s.virtual8086 || s.compatibilityMode
        },
        exitInNonRoot("vmxon", .vmxon),
        Check("vmxon.cpl-in-vmx", "SDM VMXON row 8 (VMX operation, CPL > 0)", .fault(.gp)) { s, _ in
            s.inVMXOperation && s.cpl > 0
        },
        Check("vmxon.in-root", "SDM VMXON row 9", .vmFail(.vmxonInRoot)) { s, _ in s.inVMXOperation },
        Check("vmxon.gp", "SDM VMXON row 2", .fault(.gp)) { s, _ in
            let c = s.capabilities
            let fc = s.featureControl
            return !s.inVMXOperation && (s.cpl > 0 || s.a20m
                || !fixedBitsHold(s.cr0, fixed0: c.cr0Fixed0, fixed1: c.cr0Fixed1)
                || !fixedBitsHold(s.cr4, fixed0: c.cr4Fixed0, fixed1: c.cr4Fixed1)
                || fc & 1 == 0 || (s.smx && fc & 2 == 0) || (!s.smx && fc & 4 == 0))
        },
        operandFault("vmxon"),
        Check("vmxon.address", "SDM VMXON row 4", .vmFailInvalid) { s, o in !s.capabilities.isValidPageAddress(o.address) },
        Check("vmxon.revision", "SDM VMXON row 5", .vmFailInvalid) { s, o in
            let header = s.dword(at: o.address)
            return header & 0x7FFF_FFFF != s.capabilities.revisionID || header >> 31 == 1
        },
    ]) { s, o in
        s.mode = .root
        s.vmxonPointer = o.address
        s.currentVMCS = MachineState.invalidPointer
        s.a20m = false
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMXOFF (SDM 31.3 "VMXOFF")

    static let vmxoff = InstructionModel(.vmxoff, checks: [
        udGeneric("vmxoff"),
        exitInNonRoot("vmxoff", .vmxoff),
        cplCheck("vmxoff"),
        Check("vmxoff.dual-monitor", "SDM VMXOFF row 4", .vmFail(.vmxoffUnderDualMonitor)) { s, _ in s.dualMonitorActive },
    ]) { s, _ in
        s.mode = .outside
        s.vmxonPointer = nil
        s.currentVMCS = MachineState.invalidPointer
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMCLEAR (SDM 31.3 "VMCLEAR")

    static let vmclear = InstructionModel(.vmclear, checks: [
        udGeneric("vmclear", memoryOnly: true),
        exitInNonRoot("vmclear", .vmclear),
        cplCheck("vmclear"),
        operandFault("vmclear"),
        Check("vmclear.address", "SDM VMCLEAR row 5", .vmFail(.vmclearInvalidAddress)) { s, o in !s.capabilities.isValidPageAddress(o.address) },
        Check("vmclear.vmxon-pointer", "SDM VMCLEAR row 6", .vmFail(.vmclearVMXONPointer)) { s, o in o.address == s.vmxonPointer },
    ]) { s, o in
        s.vmcs[o.address]?.launched = false
        if o.address == s.currentVMCS { s.currentVMCS = MachineState.invalidPointer }
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMPTRLD (SDM 31.3 "VMPTRLD")

    static let vmptrld = InstructionModel(.vmptrld, checks: [
        udGeneric("vmptrld", memoryOnly: true),
        exitInNonRoot("vmptrld", .vmptrld),
        cplCheck("vmptrld"),
        operandFault("vmptrld"),
        Check("vmptrld.address", "SDM VMPTRLD row 5", .vmFail(.vmptrldInvalidAddress)) { s, o in !s.capabilities.isValidPageAddress(o.address) },
        Check("vmptrld.vmxon-pointer", "SDM VMPTRLD row 6", .vmFail(.vmptrldVMXONPointer)) { s, o in o.address == s.vmxonPointer },
        Check("vmptrld.revision", "SDM VMPTRLD row 7", .vmFail(.vmptrldIncorrectRevision)) { s, o in
            let header = s.dword(at: o.address)
            return header & 0x7FFF_FFFF != s.capabilities.revisionID || (header >> 31 == 1 && !s.capabilities.vmcsShadowing)
        },
    ]) { s, o in
        s.currentVMCS = o.address
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMPTRST (SDM 31.3 "VMPTRST")

    static let vmptrst = InstructionModel(.vmptrst, checks: [
        udGeneric("vmptrst", memoryOnly: true),
        exitInNonRoot("vmptrst", .vmptrst),
        cplCheck("vmptrst"),
        operandFault("vmptrst"),
    ]) { s, o in
        s.memory[o.address] = s.currentVMCS
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMREAD / VMWRITE (SDM 31.3; SDM 25.10 VMCS shadowing)

    /// In non-root operation a VMREAD/VMWRITE exits unless VMCS shadowing is on, the encoding
    /// fits in bits 14:0 and the field's bitmap bit is clear (SDM 26.1.3).
    static func shadowAccessExits(_ s: MachineState, _ o: Operands, bitmap: Set<UInt32>) -> Bool {
        let encoding = operandSized(o.encoding, s)
        return s.mode == .nonRoot && (!s.secondaryControl(14) || encoding >> 15 != 0 || bitmap.contains(UInt32(truncatingIfNeeded: encoding)))
    }

    static func noWorkingVMCS(_ name: String) -> Check {
        Check("\(name).no-vmcs", "SDM \(name.uppercased()) row 4", .vmFailInvalid) { s, _ in
            s.workingVMCS == MachineState.invalidPointer
        }
    }

    static func unsupportedField(_ name: String) -> Check {
        Check("\(name).unsupported", "SDM \(name.uppercased()) unsupported-component row", .vmFailValid(.unsupportedVMCSComponent)) { s, o in
            !VMCSFieldEncoding.isSupported(operandSized(o.encoding, s))
        }
    }

    static let vmread = InstructionModel(.vmread, checks: [
        udGeneric("vmread"),
        Check("vmread.exit", "SDM VMREAD row 2; SDM 26.1.3", .vmExit(.vmread)) { s, o in shadowAccessExits(s, o, bitmap: s.vmreadBitmap) },
        cplCheck("vmread"),
        noWorkingVMCS("vmread"),
        unsupportedField("vmread"),
        operandFault("vmread"),
    ]) { s, o in
        let encoding = UInt32(truncatingIfNeeded: operandSized(o.encoding, s))
        let value = s.vmcs[s.workingVMCS]?[encoding & ~1] ?? 0
        s.destination = operandSized(VMCSFieldEncoding.isHighAccess(encoding) ? value >> 32 : value, s)
        return InstructionModel.vmSucceed(&s)
    }

    static let vmwrite = InstructionModel(.vmwrite, checks: [
        udGeneric("vmwrite"),
        Check("vmwrite.exit", "SDM VMWRITE row 2; SDM 26.1.3", .vmExit(.vmwrite)) { s, o in shadowAccessExits(s, o, bitmap: s.vmwriteBitmap) },
        cplCheck("vmwrite"),
        noWorkingVMCS("vmwrite"),
        operandFault("vmwrite"),
        unsupportedField("vmwrite"),
        Check("vmwrite.read-only", "SDM VMWRITE row 7", .vmFailValid(.vmwriteReadOnlyComponent)) { s, o in
            VMCSFieldEncoding.isExitInformation(UInt32(truncatingIfNeeded: operandSized(o.encoding, s))) && !s.capabilities.vmwriteAnyField
        },
    ]) { s, o in
        let encoding = UInt32(truncatingIfNeeded: operandSized(o.encoding, s))
        let value = operandSized(o.value, s)
        let full = encoding & ~1
        let working = s.workingVMCS
        let old = s.vmcs[working]?[full] ?? 0
        let new: UInt64
        if VMCSFieldEncoding.isHighAccess(encoding) {
            new = old & 0xFFFF_FFFF | value << 32
        } else {
            switch VMCSFieldEncoding.width(encoding) {
            case 16: new = value & 0xFFFF
            case 32: new = value & 0xFFFF_FFFF
            default: new = value
            }
        }
        s.vmcs[working]?[full] = new
        return InstructionModel.vmSucceed(&s)
    }

    // MARK: VMLAUNCH / VMRESUME (SDM 31.3; VM-entry checks SDM 27.2-27.3)

    static func vmentry(launch: Bool) -> InstructionModel {
        let name = launch ? "vmlaunch" : "vmresume"
        var checks = [
            udGeneric(name),
            exitInNonRoot(name, launch ? .vmlaunch : .vmresume),
            cplCheck(name),
            Check("\(name).no-vmcs", "SDM VMLAUNCH/VMRESUME row 4 (KVM/KUT: shadow VMCS too)", .vmFailInvalid) { s, _ in
                !s.hasCurrentVMCS || s.vmcs[s.currentVMCS]?.isShadow == true
            },
            Check("\(name).mov-ss", "SDM VMLAUNCH/VMRESUME row 5", .vmFailValid(.entryEventsBlockedByMOVSS)) { s, _ in s.movSSBlocking },
            launch
                ? Check("vmlaunch.launched", "SDM VMLAUNCH row 6", .vmFailValid(.vmlaunchNonClearVMCS)) { s, _ in s.vmcs[s.currentVMCS]?.launched == true }
                : Check("vmresume.not-launched", "SDM VMRESUME row 7", .vmFailValid(.vmresumeNonLaunchedVMCS)) { s, _ in s.vmcs[s.currentVMCS]?.launched != true },
        ]
        checks += VMEntryChecks.all(name)
        return InstructionModel(launch ? .vmlaunch : .vmresume, checks: checks) { s, _ in
            // SDM 27.3.2 loads the guest, 27.4 the VM-entry MSR-load area: a failing entry n
            // fails the entry with exit reason 34 and qualification n (SDM 27.8); the launch
            // state changes only when the guest was entered.
            if let failed = VMXTransitions.loadGuest(&s) {
                return VMXTransitions.entryFailure(&s, reason: .msrLoadFailure, qualification: failed)
            }
            if launch { s.vmcs[s.currentVMCS]?.launched = true }
            return .entered
        }
    }

    // MARK: VMCALL (SDM 31.3 "VMCALL")

    static let vmcall = InstructionModel(.vmcall, checks: [
        Check("vmcall.ud-outside", "SDM VMCALL row 1", .fault(.ud)) { s, _ in !s.inVMXOperation },
        exitInNonRoot("vmcall", .vmcall),
        Check("vmcall.ud-mode", "SDM VMCALL row 3", .fault(.ud)) { s, _ in s.virtual8086 || s.compatibilityMode },
        cplCheck("vmcall"),
        Check("vmcall.no-monitor", "SDM VMCALL row 5", .vmFail(.vmcallInRoot)) { s, _ in
            s.smm || !s.capabilities.dualMonitor || !s.smmMonitorValid
        },
        Check("vmcall.smm-exit", "SDM VMCALL row 6 (SMM VM exit, not modelled)", .notModelled) { s, _ in s.dualMonitorActive },
        Check("vmcall.no-vmcs", "SDM VMCALL row 7", .vmFailInvalid) { s, _ in !s.hasCurrentVMCS },
        Check("vmcall.launched", "SDM VMCALL row 8", .vmFailValid(.vmcallNonClearVMCS)) { s, _ in s.vmcs[s.currentVMCS]?.launched == true },
    ]) { _, _ in
        // Activating the dual-monitor treatment (SDM VMCALL rows 9-10) enters SMM: not modelled.
        .notModelled
    }

    // MARK: INVEPT (SDM 31.3 "INVEPT")

    static let invept = InstructionModel(.invept, checks: [
        Check("invept.unsupported", "SDM INVEPT row 0", .fault(.ud)) { s, _ in !s.capabilities.invept },
        udGeneric("invept"),
        exitInNonRoot("invept", .invept),
        cplCheck("invept"),
        Check("invept.type", "SDM INVEPT row 4", .vmFail(.invalidINVEPTINVVPIDOperand)) { s, o in
            let type = operandSized(o.type, s)
            return !(type == 1 || type == 2) || s.capabilities.eptVPIDCap >> (24 + type) & 1 == 0
        },
        operandFault("invept"),
        Check("invept.eptp", "SDM INVEPT row 6", .vmFail(.invalidINVEPTINVVPIDOperand)) { s, o in
            operandSized(o.type, s) == 1 && !VMEntryChecks.isValidEPTP(o.descriptorLow, s.capabilities)
        },
    ]) { s, _ in InstructionModel.vmSucceed(&s) }

    // MARK: INVVPID (SDM 31.3 "INVVPID")

    static let invvpid = InstructionModel(.invvpid, checks: [
        Check("invvpid.unsupported", "SDM INVVPID row 0", .fault(.ud)) { s, _ in !s.capabilities.invvpid },
        udGeneric("invvpid"),
        exitInNonRoot("invvpid", .invvpid),
        cplCheck("invvpid"),
        Check("invvpid.type", "SDM INVVPID row 4", .vmFail(.invalidINVEPTINVVPIDOperand)) { s, o in
            let type = operandSized(o.type, s)
            return type > 3 || s.capabilities.eptVPIDCap >> (40 + type) & 1 == 0
        },
        operandFault("invvpid"),
        Check("invvpid.reserved", "SDM INVVPID row 6", .vmFail(.invalidINVEPTINVVPIDOperand)) { _, o in o.descriptorLow >> 16 != 0 },
        Check("invvpid.vpid-zero", "SDM INVVPID rows 7-8", .vmFail(.invalidINVEPTINVVPIDOperand)) { s, o in
            operandSized(o.type, s) != 2 && o.descriptorLow & 0xFFFF == 0
        },
        Check("invvpid.non-canonical", "SDM INVVPID row 7", .vmFail(.invalidINVEPTINVVPIDOperand)) { s, o in
            operandSized(o.type, s) == 0 && !isCanonical(o.descriptorHigh)
        },
    ]) { s, _ in InstructionModel.vmSucceed(&s) }

    // MARK: VMFUNC (SDM 31.3 "VMFUNC"; SDM 26.5.6.3 EPTP switching)

    static let vmfunc = InstructionModel(.vmfunc, checks: [
        Check("vmfunc.ud-mode", "SDM VMFUNC row 1", .fault(.ud)) { s, _ in s.mode != .nonRoot },
        Check("vmfunc.ud-disabled", "SDM VMFUNC row 2", .fault(.ud)) { s, _ in !s.secondaryControl(13) },
        Check("vmfunc.ud-eax", "SDM VMFUNC row 3", .fault(.ud)) { _, o in o.eax & 0xFFFF_FFFF >= 64 },
        Check("vmfunc.not-enabled", "SDM VMFUNC row 4", .vmExit(.vmfunc)) { s, o in
            s.currentField(VMCSFieldEncoding.vmfuncControls) >> (o.eax & 63) & 1 == 0
        },
        Check("vmfunc.index", "SDM VMFUNC row 5", .vmExit(.vmfunc)) { _, o in o.eax & 0xFFFF_FFFF == 0 && o.ecx & 0xFFFF_FFFF >= 512 },
        Check("vmfunc.eptp", "SDM VMFUNC row 6", .vmExit(.vmfunc)) { s, o in
            o.eax & 0xFFFF_FFFF == 0 && !VMEntryChecks.isValidEPTP(tentativeEPTP(s, o), s.capabilities)
        },
    ]) { s, o in
        let eptp = tentativeEPTP(s, o)
        let current = s.currentVMCS
        s.vmcs[current]?[VMCSFieldEncoding.eptPointer] = eptp
        s.vmcs[current]?[VMCSFieldEncoding.eptpIndex] = o.ecx & 0xFFFF
        return .completed
    }

    /// The EPTP-list entry ECX selects (SDM 26.5.6.3).
    static func tentativeEPTP(_ s: MachineState, _ o: Operands) -> UInt64 {
        s.memory[s.currentField(VMCSFieldEncoding.eptpListAddress) &+ 8 &* (o.ecx & 0x1FF)] ?? 0
    }
}
