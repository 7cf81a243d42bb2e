/// The documented subset of the checks VMLAUNCH and VMRESUME make before entering the guest
/// (SDM 27.2 "Checks on VMX Controls and Host-State Area", 27.3 "Checking and Loading Guest
/// State"), each against the capability MSRs of the CPU the model stands for. Controls fail with
/// VMfailValid(7), host state with VMfailValid(8), guest state with a VM-entry failure (exit
/// reason 33, qualification 0, or 4 for the VMCS-link pointer).
///
/// Not modelled: machine checks (41), the delivery of an injected event, I/O and MSR bitmap
/// addresses, IA32_BNDCFGS and the CET state. MSR-load failures (reason 34) happen after these
/// checks, while the guest is loaded (`VMXTransitions.loadGuest`).
public enum VMEntryChecks {
    public static func all(_ name: String) -> [Check] {
        [
            // SDM 27.2.1.1 VM-execution control fields
            Check("\(name).ctl-pin", "SDM 27.2.1.1 pin-based controls vs IA32_VMX_(TRUE_)PINBASED_CTLS", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !allowed(s.currentField(VMCSFieldEncoding.pinbasedControls), s.capabilities.entryPinbased)
            },
            Check("\(name).ctl-proc", "SDM 27.2.1.1 processor-based controls vs IA32_VMX_(TRUE_)PROCBASED_CTLS", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !allowed(s.currentField(VMCSFieldEncoding.procbasedControls), s.capabilities.entryProcbased)
            },
            Check("\(name).ctl-proc2", "SDM 27.2.1.1 secondary controls vs IA32_VMX_PROCBASED_CTLS2", .vmFailValid(.entryInvalidControlField)) { s, _ in
                s.currentField(VMCSFieldEncoding.procbasedControls) >> 31 & 1 == 1
                    && !allowed(s.currentField(VMCSFieldEncoding.secondaryControls), s.capabilities.procbased2)
            },
            Check("\(name).ctl-cr3-targets", "SDM 27.2.1.1 CR3-target count <= IA32_VMX_MISC[24:16]", .vmFailValid(.entryInvalidControlField)) { s, _ in
                s.currentField(VMCSFieldEncoding.cr3TargetCount) > s.capabilities.misc >> 16 & 0x1FF
            },
            Check("\(name).ctl-vpid", "SDM 27.2.1.1 enable VPID => VPID != 0", .vmFailValid(.entryInvalidControlField)) { s, _ in
                s.secondaryControl(5) && s.currentField(VMCSFieldEncoding.vpid) & 0xFFFF == 0
            },
            Check("\(name).ctl-eptp", "SDM 27.2.1.1 enable EPT => valid EPTP", .vmFailValid(.entryInvalidControlField)) { s, _ in
                s.secondaryControl(1) && !isValidEPTP(s.currentField(VMCSFieldEncoding.eptPointer), s.capabilities)
            },
            Check("\(name).ctl-unrestricted", "SDM 27.2.1.1 unrestricted guest => enable EPT", .vmFailValid(.entryInvalidControlField)) { s, _ in
                s.secondaryControl(7) && !s.secondaryControl(1)
            },
            Check("\(name).ctl-vmfunc", "SDM 27.2.1.1 VM-function controls vs IA32_VMX_VMFUNC; EPTP switching => EPT, EPTP-list address", .vmFailValid(.entryInvalidControlField)) { s, _ in
                guard s.secondaryControl(13) else { return false }
                let controls = s.currentField(VMCSFieldEncoding.vmfuncControls)
                return controls & ~s.capabilities.vmfunc != 0
                    || (controls & 1 == 1 && (!s.secondaryControl(1)
                        || !s.capabilities.isValidPageAddress(s.currentField(VMCSFieldEncoding.eptpListAddress))))
            },
            // SDM 27.2.1.2 / 27.2.1.3
            Check("\(name).ctl-exit-msr-store", "SDM 27.2.1.2 VM-exit MSR-store count/address: 16-byte aligned, last byte within MAXPHYADDR", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !VMXTransitions.areaIsValid(s, address: s.currentField(F.exitMSRStoreAddress), count: s.currentField(F.exitMSRStoreCount) & 0xFFFF_FFFF)
            },
            Check("\(name).ctl-exit-msr-load", "SDM 27.2.1.2 VM-exit MSR-load count/address: 16-byte aligned, last byte within MAXPHYADDR", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !VMXTransitions.areaIsValid(s, address: s.currentField(F.exitMSRLoadAddress), count: s.currentField(F.exitMSRLoadCount) & 0xFFFF_FFFF)
            },
            Check("\(name).ctl-entry-msr-load", "SDM 27.2.1.3 VM-entry MSR-load count/address: 16-byte aligned, last byte within MAXPHYADDR", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !VMXTransitions.areaIsValid(s, address: s.currentField(F.entryMSRLoadAddress), count: s.currentField(F.entryMSRLoadCount) & 0xFFFF_FFFF)
            },
            // SDM 27.2.1.3 event injection (26.2.1.3 before the 2021 editions)
            Check("\(name).ctl-event-type", "SDM 27.2.1.3 injected interruption type not 1 (reserved), nor 7 (other event) where \"monitor trap flag\" cannot be 1", .vmFailValid(.entryInvalidControlField)) { s, _ in
                guard let event = injection(s) else { return false }
                switch event.type {
                case .reserved: return true
                case .otherEvent: return s.capabilities.entryProcbased >> (32 + 27) & 1 == 0
                case .externalInterrupt, .nmi, .hardwareException, .softwareInterrupt, .privilegedSoftwareException, .softwareException:
                    return false
                }
            },
            Check("\(name).ctl-event-vector", "SDM 27.2.1.3 injected vector: 2 for an NMI, at most 31 for a hardware exception, 0 for other event", .vmFailValid(.entryInvalidControlField)) { s, _ in
                guard let event = injection(s) else { return false }
                switch event.type {
                case .nmi: return event.vector != 2
                case .hardwareException: return event.vector > 31
                case .otherEvent: return event.vector != 0
                case .externalInterrupt, .reserved, .softwareInterrupt, .privilegedSoftwareException, .softwareException: return false
                }
            },
            Check("\(name).ctl-event-error-code", "SDM 27.2.1.3 deliver-error-code (bit 11) = 1 iff protected mode (or not unrestricted guest), hardware exception and vector 8, 10-14 or 17", .vmFailValid(.entryInvalidControlField)) { s, _ in
                guard let event = injection(s) else { return false }
                let protected = !s.secondaryControl(7) || s.currentField(F.guestCR0) & 1 == 1
                let expected = protected && event.type == .hardwareException && VMXInterruptionType.errorCodeVectors.contains(event.vector)
                return event.deliversErrorCode != expected
            },
            Check("\(name).ctl-event-reserved", "SDM 27.2.1.3 interruption-information bits 30:12 zero", .vmFailValid(.entryInvalidControlField)) { s, _ in
                injection(s) != nil && s.currentField(F.entryInterruptionInfo) >> 12 & 0x7FFFF != 0
            },
            Check("\(name).ctl-event-error-code-high", "SDM 27.2.1.3 deliver-error-code = 1 => VM-entry exception error code bits 31:16 zero", .vmFailValid(.entryInvalidControlField)) { s, _ in
                injection(s)?.deliversErrorCode == true && s.currentField(F.entryExceptionErrorCode) >> 16 != 0
            },
            Check("\(name).ctl-event-length", "SDM 27.2.1.3 software interrupt or (privileged) software exception => VM-entry instruction length 1-15 (0 too with IA32_VMX_MISC[30])", .vmFailValid(.entryInvalidControlField)) { s, _ in
                guard let event = injection(s), event.type.usesInstructionLength else { return false }
                let length = s.currentField(F.entryInstructionLength)
                return length > 15 || (length == 0 && s.capabilities.misc >> 30 & 1 == 0)
            },
            Check("\(name).ctl-exit", "SDM 27.2.1.2 VM-exit controls vs IA32_VMX_(TRUE_)EXIT_CTLS", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !allowed(s.currentField(VMCSFieldEncoding.exitControls), s.capabilities.entryExit)
            },
            Check("\(name).ctl-entry", "SDM 27.2.1.3 VM-entry controls vs IA32_VMX_(TRUE_)ENTRY_CTLS", .vmFailValid(.entryInvalidControlField)) { s, _ in
                !allowed(s.currentField(VMCSFieldEncoding.entryControls), s.capabilities.entryEntry)
            },
            // SDM 27.2.2 host control registers and MSRs
            Check("\(name).host-cr0", "SDM 27.2.2 host CR0 vs IA32_VMX_CR0_FIXED0/1", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                !VMXInstructions.fixedBitsHold(s.currentField(VMCSFieldEncoding.hostCR0),
                                               fixed0: s.capabilities.cr0Fixed0, fixed1: s.capabilities.cr0Fixed1)
            },
            Check("\(name).host-cr4", "SDM 27.2.2 host CR4 vs IA32_VMX_CR4_FIXED0/1", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                !VMXInstructions.fixedBitsHold(s.currentField(VMCSFieldEncoding.hostCR4),
                                               fixed0: s.capabilities.cr4Fixed0, fixed1: s.capabilities.cr4Fixed1)
            },
            Check("\(name).host-cr3", "SDM 27.2.2 host CR3 bits beyond MAXPHYADDR", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                s.currentField(VMCSFieldEncoding.hostCR3) >> UInt64(s.capabilities.physicalAddressWidth) != 0
            },
            Check("\(name).host-sysenter", "SDM 27.2.2 host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP canonical", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                !VMXInstructions.isCanonical(s.currentField(F.hostSysenterESP)) || !VMXInstructions.isCanonical(s.currentField(F.hostSysenterEIP))
            },
            Check("\(name).host-perf-global-ctrl", "SDM 27.2.2 \"load IA32_PERF_GLOBAL_CTRL\" => no reserved bit of that MSR set in the host field", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                guard VMXTransitions.exitControl(s, .loadPerfGlobalCtrl), let defined = s.perfGlobalCtrlBits else { return false }
                return s.currentField(F.hostPerfGlobalCtrl) & ~defined != 0
            },
            Check("\(name).host-pat", "SDM 27.2.2 \"load IA32_PAT\" => every byte of the host field 0, 1, 4, 5, 6 or 7", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                VMXTransitions.exitControl(s, .loadPAT) && !VMXTransitions.isValidPAT(s.currentField(F.hostPAT))
            },
            Check("\(name).host-efer", "SDM 27.2.2 \"load IA32_EFER\" => host field: reserved bits 0, LMA and LME = \"host address-space size\"", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                guard VMXTransitions.exitControl(s, .loadEFER) else { return false }
                let efer = s.currentField(F.hostEFER)
                let long = VMXTransitions.exitControl(s, .hostAddressSpaceSize)
                return efer & ~VMXTransitions.eferDefined != 0
                    || (efer & VMXTransitions.eferLMA != 0) != long || (efer & VMXTransitions.eferLME != 0) != long
            },
            // SDM 27.2.4 address-space size
            Check("\(name).host-address-space", "SDM 27.2.4 host address-space size vs IA32_EFER.LMA, host CR4.PAE", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                let hostLong = s.currentField(VMCSFieldEncoding.exitControls) >> 9 & 1 == 1
                let guestLong = s.currentField(VMCSFieldEncoding.entryControls) >> 9 & 1 == 1
                if s.efer >> 10 & 1 == 1 {
                    return !hostLong || s.currentField(VMCSFieldEncoding.hostCR4) >> 5 & 1 == 0
                }
                return hostLong || guestLong
            },
            // SDM 27.2.3 host segment and descriptor-table registers
            Check("\(name).host-selectors", "SDM 27.2.3 host selectors: RPL/TI = 0, CS and TR != 0", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                let selectors = stride(from: VMCSFieldEncoding.hostESSelector, through: VMCSFieldEncoding.hostTRSelector, by: 2)
                    .map { s.currentField($0) }
                return selectors.contains { $0 & 7 != 0 }
                    || s.currentField(VMCSFieldEncoding.hostCSSelector) == 0
                    || s.currentField(VMCSFieldEncoding.hostTRSelector) == 0
            },
            Check("\(name).host-ss-selector", "SDM 27.2.3 host SS selector != 0 when \"host address-space size\" = 0", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                !VMXTransitions.exitControl(s, .hostAddressSpaceSize) && s.currentField(VMCSFieldEncoding.hostSSSelector) == 0
            },
            Check("\(name).host-bases", "SDM 27.2.3 host FS, GS, GDTR, IDTR and TR bases canonical", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                let bases = [F.hostFSBase, F.hostGSBase, F.hostTRBase] + DescriptorTableRegister.Name.allCases.map(\.hostBaseField)
                return bases.contains { !VMXInstructions.isCanonical(s.currentField($0)) }
            },
            Check("\(name).host-rip", "SDM 27.2.4 host RIP: canonical with \"host address-space size\" = 1, bits 63:32 zero with 0", .vmFailValid(.entryInvalidHostStateField)) { s, _ in
                let rip = s.currentField(VMCSFieldEncoding.hostRIP)
                return VMXTransitions.exitControl(s, .hostAddressSpaceSize) ? !VMXInstructions.isCanonical(rip) : rip >> 32 != 0
            },
            // SDM 27.3.1 guest state
            Check("\(name).guest-cr0", "SDM 27.3.1.1 guest CR0 vs FIXED0/1 (PE, PG free with unrestricted guest)", .entryFailure(qualification: 0)) { s, _ in
                var fixed0 = s.capabilities.cr0Fixed0
                if s.secondaryControl(7) { fixed0 &= ~UInt64(0x8000_0001) }
                return !VMXInstructions.fixedBitsHold(s.currentField(VMCSFieldEncoding.guestCR0), fixed0: fixed0, fixed1: s.capabilities.cr0Fixed1)
            },
            Check("\(name).guest-cr4", "SDM 27.3.1.1 guest CR4 vs FIXED0/1", .entryFailure(qualification: 0)) { s, _ in
                !VMXInstructions.fixedBitsHold(s.currentField(VMCSFieldEncoding.guestCR4),
                                               fixed0: s.capabilities.cr4Fixed0, fixed1: s.capabilities.cr4Fixed1)
            },
            Check("\(name).guest-cr3", "SDM 27.3.1.1 guest CR3 bits beyond MAXPHYADDR", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(F.guestCR3) >> UInt64(s.capabilities.physicalAddressWidth) != 0
            },
            Check("\(name).guest-sysenter", "SDM 27.3.1.1 guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP canonical", .entryFailure(qualification: 0)) { s, _ in
                !VMXInstructions.isCanonical(s.currentField(F.guestSysenterESP)) || !VMXInstructions.isCanonical(s.currentField(F.guestSysenterEIP))
            },
            Check("\(name).guest-dr7", "SDM 27.3.1.1 \"load debug controls\" => guest DR7[63:32] = 0", .entryFailure(qualification: 0)) { s, _ in
                VMXTransitions.entryControl(s, .loadDebug) && s.currentField(F.guestDR7) >> 32 != 0
            },
            Check("\(name).guest-perf-global-ctrl", "SDM 27.3.1.1 \"load IA32_PERF_GLOBAL_CTRL\" => no reserved bit of that MSR set in the guest field", .entryFailure(qualification: 0)) { s, _ in
                guard VMXTransitions.entryControl(s, .loadPerfGlobalCtrl), let defined = s.perfGlobalCtrlBits else { return false }
                return s.currentField(F.guestPerfGlobalCtrl) & ~defined != 0
            },
            Check("\(name).guest-pat", "SDM 27.3.1.1 \"load IA32_PAT\" => every byte of the guest field 0, 1, 4, 5, 6 or 7", .entryFailure(qualification: 0)) { s, _ in
                VMXTransitions.entryControl(s, .loadPAT) && !VMXTransitions.isValidPAT(s.currentField(F.guestPAT))
            },
            Check("\(name).guest-efer", "SDM 27.3.1.1 \"load IA32_EFER\" => reserved bits 0, LMA = \"IA-32e mode guest\", LMA = LME when CR0.PG = 1", .entryFailure(qualification: 0)) { s, _ in
                guard VMXTransitions.entryControl(s, .loadEFER) else { return false }
                let efer = s.currentField(F.guestEFER)
                let lma = efer >> 10 & 1 == 1
                return efer & ~VMXTransitions.eferDefined != 0 || lma != VMXTransitions.entryControl(s, .ia32eModeGuest)
                    || (s.currentField(F.guestCR0) >> 31 == 1 && lma != (efer >> 8 & 1 == 1))
            },
            Check("\(name).guest-tr", "SDM 27.3.1.2 TR: TI = 0, usable, type 11 (IA-32e mode guest) or 3/11", .entryFailure(qualification: 0)) { s, _ in
                let tr = guestSegment(s, .tr)
                let typeOK = tr.type == 11 || (tr.type == 3 && !VMXTransitions.entryControl(s, .ia32eModeGuest))
                return tr.selector & 4 != 0 || tr.isUnusable || !typeOK
            },
            Check("\(name).guest-ldtr", "SDM 27.3.1.2 LDTR if usable: TI = 0, type 2", .entryFailure(qualification: 0)) { s, _ in
                let ldtr = guestSegment(s, .ldtr)
                return !ldtr.isUnusable && (ldtr.selector & 4 != 0 || ldtr.type != 2)
            },
            Check("\(name).guest-cs", "SDM 27.3.1.2 CS: type 9, 11, 13 or 15 (3 too with unrestricted guest; not virtual-8086); L and D/B not both in an IA-32e mode guest", .entryFailure(qualification: 0)) { s, _ in
                let cs = guestSegment(s, .cs)
                let types: Set<UInt32> = s.secondaryControl(7) ? [3, 9, 11, 13, 15] : [9, 11, 13, 15]
                return (!guestVirtual8086(s) && !types.contains(cs.type)) || (VMXTransitions.entryControl(s, .ia32eModeGuest) && cs.l && cs.db)
            },
            Check("\(name).guest-ss-rpl", "SDM 27.3.1.2 SS.RPL = CS.RPL (unless virtual-8086 or unrestricted guest)", .entryFailure(qualification: 0)) { s, _ in
                !guestVirtual8086(s) && !s.secondaryControl(7) && guestSegment(s, .ss).selector & 3 != guestSegment(s, .cs).selector & 3
            },
            Check("\(name).guest-seg-base", "SDM 27.3.1.2 bases: TR, FS, GS and usable LDTR canonical; CS and usable SS, DS, ES bits 63:32 zero", .entryFailure(qualification: 0)) { s, _ in
                let canonical: [SegmentRegister] = [.tr, .fs, .gs] + (guestSegment(s, .ldtr).isUnusable ? [] : [.ldtr])
                let low: [SegmentRegister] = [.cs] + [SegmentRegister.ss, .ds, .es].filter { !guestSegment(s, $0).isUnusable }
                return canonical.contains { !VMXInstructions.isCanonical(guestSegment(s, $0).base) }
                    || low.contains { guestSegment(s, $0).base >> 32 != 0 }
            },
            Check("\(name).guest-v8086-base", "SDM 27.3.1.2 virtual-8086 guest: CS, SS, DS, ES, FS, GS base = selector << 4", .entryFailure(qualification: 0)) { s, _ in
                guestVirtual8086(s) && virtual8086Registers.contains { r in
                    let segment = guestSegment(s, r)
                    return segment.base != UInt64(segment.selector) << 4
                }
            },
            Check("\(name).guest-v8086-limit", "SDM 27.3.1.2 virtual-8086 guest: CS, SS, DS, ES, FS, GS limit = 0000FFFFH", .entryFailure(qualification: 0)) { s, _ in
                guestVirtual8086(s) && virtual8086Registers.contains { guestSegment(s, $0).limit != 0xFFFF }
            },
            Check("\(name).guest-v8086-ar", "SDM 27.3.1.2 virtual-8086 guest: CS, SS, DS, ES, FS, GS access rights = 000000F3H", .entryFailure(qualification: 0)) { s, _ in
                guestVirtual8086(s) && virtual8086Registers.contains { guestSegment(s, $0).attributes != 0xF3 }
            },
            Check("\(name).guest-seg-ar", "SDM 27.3.1.2 access rights (not virtual-8086): CS and usable SS, DS, ES, FS, GS have S = 1, P = 1, bits 11:8 and 31:17 zero; SS type 3 or 7; DS, ES, FS, GS accessed, and readable if code", .entryFailure(qualification: 0)) { s, _ in
                guard !guestVirtual8086(s) else { return false }
                let registers = [SegmentRegister.cs] + [SegmentRegister.ss, .ds, .es, .fs, .gs].filter { !guestSegment(s, $0).isUnusable }
                return registers.contains { r in
                    let segment = guestSegment(s, r)
                    let a = segment.attributes
                    let typeOK = switch r {
                    case .cs: true   // the CS type is its own check (guest-cs)
                    case .ss: segment.type == 3 || segment.type == 7
                    case .es, .ds, .fs, .gs, .ldtr, .tr: segment.type & 1 == 1 && (segment.type & 8 == 0 || segment.type & 2 == 2)
                    }
                    return a >> 4 & 1 == 0 || a >> 7 & 1 == 0 || a & reservedAccessRights != 0 || !typeOK
                }
            },
            Check("\(name).guest-cs-dpl", "SDM 27.3.1.2 CS DPL (not virtual-8086): 0 for type 3; = SS DPL for types 9, 11; <= SS DPL for 13, 15", .entryFailure(qualification: 0)) { s, _ in
                guard !guestVirtual8086(s) else { return false }
                let cs = guestSegment(s, .cs), ssDPL = guestSegment(s, .ss).dpl
                switch cs.type {
                case 3: return cs.dpl != 0
                case 9, 11: return cs.dpl != ssDPL
                case 13, 15: return cs.dpl > ssDPL
                default: return false   // another type already failed guest-cs
                }
            },
            Check("\(name).guest-ss-dpl", "SDM 27.3.1.2 SS DPL (not virtual-8086): = SS.RPL unless unrestricted guest; 0 when CS type is 3 or CR0.PE = 0", .entryFailure(qualification: 0)) { s, _ in
                guard !guestVirtual8086(s) else { return false }
                let ss = guestSegment(s, .ss)
                let realOrData = guestSegment(s, .cs).type == 3 || s.currentField(F.guestCR0) & 1 == 0
                return (!s.secondaryControl(7) && ss.dpl != UInt32(ss.selector & 3)) || (realOrData && ss.dpl != 0)
            },
            Check("\(name).guest-data-dpl", "SDM 27.3.1.2 usable DS, ES, FS, GS of type 0-11 (not virtual-8086, no unrestricted guest): DPL >= RPL", .entryFailure(qualification: 0)) { s, _ in
                guard !guestVirtual8086(s), !s.secondaryControl(7) else { return false }
                return [SegmentRegister.ds, .es, .fs, .gs].contains { r in
                    let segment = guestSegment(s, r)
                    return !segment.isUnusable && segment.type <= 11 && segment.dpl < UInt32(segment.selector & 3)
                }
            },
            Check("\(name).guest-system-ar", "SDM 27.3.1.2 TR and usable LDTR: S = 0, P = 1, bits 11:8 and 31:17 zero", .entryFailure(qualification: 0)) { s, _ in
                let registers = [SegmentRegister.tr] + (guestSegment(s, .ldtr).isUnusable ? [] : [.ldtr])
                return registers.contains { r in
                    let a = guestSegment(s, r).attributes
                    return a >> 4 & 1 == 1 || a >> 7 & 1 == 0 || a & reservedAccessRights != 0
                }
            },
            Check("\(name).guest-seg-limit", "SDM 27.3.1.2 limit vs G (CS, TR and every usable segment, not virtual-8086): a 0 in limit bits 11:0 needs G = 0, a 1 in bits 31:20 needs G = 1", .entryFailure(qualification: 0)) { s, _ in
                guard !guestVirtual8086(s) else { return false }
                return SegmentRegister.allCases.contains { r in
                    let segment = guestSegment(s, r)
                    guard r == .cs || r == .tr || !segment.isUnusable else { return false }
                    let g = segment.attributes >> 15 & 1 == 1
                    return (segment.limit & 0xFFF != 0xFFF && g) || (segment.limit >> 20 != 0 && !g)
                }
            },
            Check("\(name).guest-dtr", "SDM 27.3.1.3 GDTR and IDTR: base canonical, limit bits 31:16 zero", .entryFailure(qualification: 0)) { s, _ in
                DescriptorTableRegister.Name.allCases.contains { t in
                    !VMXInstructions.isCanonical(s.currentField(t.guestBaseField)) || s.currentField(t.guestLimitField) >> 16 != 0
                }
            },
            Check("\(name).guest-rip", "SDM 27.3.1.4 guest RIP: bits 63:32 zero unless IA-32e mode guest with CS.L; else canonical", .entryFailure(qualification: 0)) { s, _ in
                let rip = s.currentField(F.guestRIP)
                let long = VMXTransitions.entryControl(s, .ia32eModeGuest) && guestSegment(s, .cs).l
                return long ? !VMXInstructions.isCanonical(rip) : rip >> 32 != 0
            },
            Check("\(name).guest-rflags-vm", "SDM 27.3.1.4 RFLAGS.VM = 0 in an IA-32e mode guest or with CR0.PE = 0", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(F.guestRFLAGS) >> 17 & 1 == 1
                    && (VMXTransitions.entryControl(s, .ia32eModeGuest) || s.currentField(F.guestCR0) & 1 == 0)
            },
            Check("\(name).guest-rflags-if", "SDM 27.3.1.4 RFLAGS.IF = 1 when an external interrupt is injected", .entryFailure(qualification: 0)) { s, _ in
                injection(s)?.type == .externalInterrupt && s.currentField(F.guestRFLAGS) >> 9 & 1 == 0
            },
            Check("\(name).guest-sti-if", "SDM 27.3.1.5 blocking by STI requires RFLAGS.IF = 1", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(F.guestInterruptibility) & 1 == 1 && s.currentField(F.guestRFLAGS) >> 9 & 1 == 0
            },
            Check("\(name).guest-ia32e", "SDM 27.3.1.1 IA-32e mode guest => CR0.PG = 1 and CR4.PAE = 1", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(VMCSFieldEncoding.entryControls) >> 9 & 1 == 1
                    && (s.currentField(VMCSFieldEncoding.guestCR0) >> 31 == 0 || s.currentField(VMCSFieldEncoding.guestCR4) >> 5 & 1 == 0)
            },
            Check("\(name).guest-rflags", "SDM 27.3.1.4 guest RFLAGS reserved bits", .entryFailure(qualification: 0)) { s, _ in
                let rflags = s.currentField(VMCSFieldEncoding.guestRFLAGS)
                return rflags & 0xFFFF_FFFF_FFC0_8028 != 0 || rflags & 2 == 0
            },
            Check("\(name).guest-activity", "SDM 27.3.1.5 activity state supported (IA32_VMX_MISC[8:6])", .entryFailure(qualification: 0)) { s, _ in
                let state = s.currentField(VMCSFieldEncoding.guestActivityState)
                return state > 3 || (state > 0 && s.capabilities.misc >> (5 + state) & 1 == 0)
            },
            Check("\(name).guest-activity-hlt-dpl", "SDM 27.3.1.5 activity state HLT only with SS DPL 0", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(F.guestActivityState) == hltActivityState && guestSegment(s, .ss).dpl != 0
            },
            Check("\(name).guest-activity-blocking", "SDM 27.3.1.5 blocking by STI or MOV SS => activity state active (0)", .entryFailure(qualification: 0)) { s, _ in
                s.currentField(F.guestActivityState) != 0 && s.currentField(F.guestInterruptibility) & 3 != 0
            },
            Check("\(name).guest-interruptibility", "SDM 27.3.1.5 interruptibility: bits 31:5 reserved, STI and MOV-SS blocking not both", .entryFailure(qualification: 0)) { s, _ in
                let value = s.currentField(VMCSFieldEncoding.guestInterruptibility)
                return value >> 5 != 0 || value & 3 == 3
            },
            Check("\(name).guest-event-blocking", "SDM 27.3.1.5 an injected external interrupt needs no blocking by STI or MOV SS; an injected NMI none by MOV SS", .entryFailure(qualification: 0)) { s, _ in
                let blocking = s.currentField(F.guestInterruptibility)
                return switch injection(s)?.type {
                case .externalInterrupt: blocking & 3 != 0
                case .nmi: blocking & 2 != 0
                case .reserved, .hardwareException, .softwareInterrupt, .privilegedSoftwareException, .softwareException, .otherEvent, nil: false
                }
            },
            Check("\(name).guest-link", "SDM 27.3.1.5 VMCS-link pointer (qualification 4, SDM 28.8)", .entryFailure(qualification: 4)) { s, _ in
                let link = s.currentField(VMCSFieldEncoding.vmcsLinkPointer)
                guard link != MachineState.invalidPointer else { return false }
                let header = s.dword(at: link)
                // Bit 31 "must contain the setting of the VMCS shadowing control": a shadow VMCS
                // linked from a VMCS without shadowing fails as well (KVM's
                // nested_vmx_check_vmcs_link_ptr: hdr.shadow_vmcs != nested_cpu_has_shadow_vmcs).
                return !s.capabilities.isValidPageAddress(link) || header & 0x7FFF_FFFF != s.capabilities.revisionID
                    || (header >> 31 == 1) != s.secondaryControl(14)
            },
            Check("\(name).guest-pdpte", "SDM 27.3.1.6 PAE paging guest (CR0.PG, CR4.PAE, not IA-32e mode): a present PDPTE sets no reserved bit — from guest CR3 without EPT, the PDPTE fields with EPT (qualification 2, SDM 27.8)", .entryFailure(qualification: 2)) { s, _ in
                guard s.currentField(F.guestCR0) >> 31 == 1, s.currentField(F.guestCR4) >> 5 & 1 == 1,
                      !VMXTransitions.entryControl(s, .ia32eModeGuest) else { return false }
                let entries = s.secondaryControl(1) ? F.guestPDPTEs.map { s.currentField($0) }
                    : VMXTransitions.pdptes(s, cr3: s.currentField(F.guestCR3))
                return entries.contains { VMXTransitions.isBadPDPTE($0, s) }
            },
        ]
    }

    typealias F = VMCSFieldEncoding

    /// The guest segment register the VMCS fields describe.
    static func guestSegment(_ s: MachineState, _ r: SegmentRegister) -> Segment {
        Segment(selector: UInt16(truncatingIfNeeded: s.currentField(r.guestSelectorField)),
                attributes: UInt32(truncatingIfNeeded: s.currentField(r.guestAccessRightsField)),
                limit: UInt32(truncatingIfNeeded: s.currentField(r.guestLimitField)), base: s.currentField(r.guestBaseField))
    }

    /// Access-rights bits 11:8 and 31:17, reserved for every segment register (SDM 27.3.1.2).
    static let reservedAccessRights: UInt32 = 0xF00 | 0xFFFE_0000

    /// Activity state 1, HLT (SDM 25.4.2 Table 25-3).
    static let hltActivityState: UInt64 = 1

    /// The segment registers whose base, limit and access rights a virtual-8086 guest fixes
    /// (SDM 27.3.1.2).
    static let virtual8086Registers: [SegmentRegister] = [.cs, .ss, .ds, .es, .fs, .gs]

    /// The VM-entry interruption-information field (SDM 25.8.3 Table 25-17) when its valid bit
    /// (31) is 1: VM entry will inject an event.
    struct Injection {
        var vector: UInt8
        var type: VMXInterruptionType
        var deliversErrorCode: Bool
    }

    static func injection(_ s: MachineState) -> Injection? {
        let info = s.currentField(F.entryInterruptionInfo)
        guard info >> 31 & 1 == 1 else { return nil }
        return Injection(vector: UInt8(truncatingIfNeeded: info), type: VMXInterruptionType(rawValue: UInt8(info >> 8 & 7)) ?? .reserved,
                         deliversErrorCode: info >> 11 & 1 == 1)
    }

    /// The guest will be in virtual-8086 mode (guest RFLAGS.VM = 1): its segment checks are the
    /// virtual-8086 ones (base, limit and access rights fixed by the selector).
    static func guestVirtual8086(_ s: MachineState) -> Bool { s.currentField(F.guestRFLAGS) >> 17 & 1 == 1 }

    /// Every bit the MSR's allowed-0 half (31:0) requires is 1 and every 1 is allowed by the
    /// allowed-1 half (63:32) (SDM A.3).
    static func allowed(_ value: UInt64, _ msr: UInt64) -> Bool {
        let mustBeOne = msr & 0xFFFF_FFFF
        let mayBeOne = msr >> 32
        return value & mustBeOne == mustBeOne && value & ~mayBeOne == 0
    }

    /// An EPTP VM entry, INVEPT and VMFUNC accept (SDM 25.6.11, 27.2.1.1): memory type UC (if
    /// EPT_VPID_CAP[8]) or WB (if [14]); page-walk length 4 ([6]) or 5 ([7]); accessed/dirty
    /// flags only if [21]; bits 11:7 reserved; no bit at or beyond MAXPHYADDR.
    public static func isValidEPTP(_ eptp: UInt64, _ c: VMXCapabilityMSRs) -> Bool {
        let cap = c.eptVPIDCap
        let typeOK = (eptp & 7 == 0 && cap >> 8 & 1 == 1) || (eptp & 7 == 6 && cap >> 14 & 1 == 1)
        let walk = eptp >> 3 & 7
        let walkOK = (walk == 3 && cap >> 6 & 1 == 1) || (walk == 4 && cap >> 7 & 1 == 1)
        let adOK = eptp >> 6 & 1 == 0 || cap >> 21 & 1 == 1
        return typeOK && walkOK && adOK && eptp & 0xF80 == 0 && eptp >> UInt64(c.physicalAddressWidth) == 0
    }
}
