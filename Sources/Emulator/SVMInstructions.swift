/// The SVM instructions' check lists (APM Vol.2 15.4-15.5 and Vol.3 instruction pages, ordered
/// as Bochs svm.cc implements them; /work/shared/spec/svm.md has the rows and their sources).
/// Where the APM and Bochs disagree the APM is followed: STGI and SKINIT are usable with
/// EFER.SVME = 0 when CPUID reports SKINIT (Bochs requires SVME; QEMU follows the APM).
public enum SVMInstructions {
    static let efer_SVME: UInt64 = 1 << 12
    /// EFER bits VMRUN requires to be zero (APM 15.5.1 "any MBZ bit of EFER"; kvm-unit-tests
    /// test_efer: bits 63:16 and 9).
    static let eferMBZ: UInt64 = 0xFFFF_FFFF_FFFF_0200

    /// EFER bits that exist only with a CPUID feature (APM vol. 2 3.1.7, table "Extended Feature
    /// Enable Register"): NXE (11) with Fn8000_0001 EDX[20] NX, FFXSR (14) with EDX[25] FFXSR.
    static let eferFeatureBits: [(efer: UInt64, cpuidBit: UInt64)] = [(1 << 11, 20), (1 << 14, 25)]

    /// The EFER bits VMRUN requires to be zero on this CPU: `eferMBZ`, and each feature bit whose
    /// feature CPUID does not offer (KVM's __kvm_valid_efer checks the same against the guest's CPUID).
    static func eferReserved(_ s: MachineState) -> UInt64 {
        eferFeatureBits.reduce(eferMBZ) { mask, bit in s.extendedFeatures >> bit.cpuidBit & 1 == 1 ? mask : mask | bit.efer }
    }
    /// CR4 bits VMRUN requires to be zero on the CPUs the model stands for: 63:32 and the
    /// reserved 31:24, 19, 15:13 (kvm-unit-tests SVM_CR4_RESERVED_MASK; VMXE and SMXE are
    /// reserved on AMD processors).
    static let cr4MBZ: UInt64 = 0xFFFF_FFFF_FF08_E000

    /// EFER.SVME = 0 (row 1); `skinitEnables`: the CPUID SKINIT bit also makes it available.
    static func svmDisabled(_ name: String, skinitEnables: Bool = false) -> Check {
        Check("\(name).ud-svme", "APM \(name.uppercased()) #UD: EFER.SVME = 0", .fault(.ud)) { s, _ in
            s.efer & efer_SVME == 0 && !(skinitEnables && s.skinitSupported)
        }
    }

    /// Real or virtual-8086 mode (row 1a).
    static func realMode(_ name: String) -> Check {
        Check("\(name).ud-mode", "APM \(name.uppercased()) #UD: real or virtual-8086 mode", .fault(.ud)) { s, _ in
            !s.protectedMode || s.virtual8086
        }
    }

    static func cplCheck(_ name: String) -> Check {
        Check("\(name).cpl", "APM \(name.uppercased()) #GP: CPL != 0", .fault(.gp)) { s, _ in s.cpl != 0 }
    }

    static func intercepted(_ intercept: SVMIntercept) -> Check {
        Check("\(intercept.rawValue).intercept", "APM 15.9 instruction intercepts; Bochs svm.h l.400-456",
              .svmExit(intercept.exitCode)) { s, _ in
            s.svmGuest && s.guestVMCB.flatMap { s.vmcbs[$0] }?.intercepts.contains(intercept) == true
        }
    }

    /// rAX must be a 4-KByte aligned physical address below 2^MAXPHYADDR.
    static func badAddress(_ name: String) -> Check {
        Check("\(name).rax", "APM \(name.uppercased()) #GP: rAX not a valid page address", .fault(.gp)) { s, o in
            o.rax & 0xFFF != 0 || o.rax >> UInt64(s.capabilities.physicalAddressWidth) != 0
        }
    }

    static func prologue(_ name: String, _ intercept: SVMIntercept) -> [Check] {
        [svmDisabled(name), realMode(name), cplCheck(name), intercepted(intercept)]
    }

    /// The last page of a `size`-byte map at `base` lies below 2^MAXPHYADDR, computed without
    /// overflow (KUT test_msrpm_iopm_bitmap_addrs: the last page's address must be valid).
    static func fitsBelowMaxPhysical(_ base: UInt64, size: UInt64, _ s: MachineState) -> Bool {
        let (lastPage, overflow) = base.addingReportingOverflow(size - 0x1000)
        return !overflow && lastPage >> UInt64(s.capabilities.physicalAddressWidth) == 0
    }

    // MARK: VMRUN (APM 15.5; consistency checks APM 15.5.1)

    static let vmrun = InstructionModel(.vmrun, checks: prologue("vmrun", .vmrun) + [
        badAddress("vmrun"),
        Check("vmrun.hsave", "APM (quoted in KVM \"nSVM: Check HSAVE_PA\"): VM_HSAVE_PA = 0", .fault(.gp)) { s, _ in s.hsavePA == 0 },
        Check("vmrun.no-vmrun-intercept", "APM 15.5.1: VMRUN intercept clear", .svmInvalid) { s, o in
            !vmcb(s, o).intercepts.contains(.vmrun)
        },
        Check("vmrun.asid", "APM 15.5.1: ASID = 0", .svmInvalid) { s, o in vmcb(s, o).asid == 0 },
        Check("vmrun.bitmaps", "APM 15.5.1; KUT test_msrpm_iopm_bitmap_addrs: MSRPM (8 KiB) / IOPM (12 KiB) beyond MAXPHYADDR", .svmInvalid) { s, o in
            let v = vmcb(s, o)
            // Checked: the bases come from the VMCB and may lie anywhere up to 2^64 - 1.
            return !fitsBelowMaxPhysical(v.msrpmBase & ~0xFFF, size: 0x2000, s)
                || !fitsBelowMaxPhysical(v.iopmBase & ~0xFFF, size: 0x3000, s)
        },
        Check("vmrun.efer", "APM 15.5.1: EFER.SVME = 0 or an MBZ bit of EFER set (63:16, 9; KUT test_efer; APM 3.1.7: NXE and FFXSR reserved where CPUID 8000_0001 EDX[20]/[25] is clear)", .svmInvalid) { s, o in
            let efer = vmcb(s, o).efer
            return efer & efer_SVME == 0 || efer & eferReserved(s) != 0
        },
        Check("vmrun.cr0", "APM 15.5.1: CR0.CD = 0 and CR0.NW = 1, or CR0[63:32] set", .svmInvalid) { s, o in
            let cr0 = vmcb(s, o).cr0
            return (cr0 >> 30 & 1 == 0 && cr0 >> 29 & 1 == 1) || cr0 >> 32 != 0
        },
        Check("vmrun.cr3", "APM 15.5.1: CR3 bits beyond MAXPHYADDR", .svmInvalid) { s, o in
            vmcb(s, o).cr3 >> UInt64(s.capabilities.physicalAddressWidth) != 0
        },
        Check("vmrun.cr4", "APM 15.5.1: an MBZ bit of CR4 set (63:32, and the reserved 31:24, 19, 15:13; KUT SVM_CR4_RESERVED_MASK)", .svmInvalid) { s, o in
            vmcb(s, o).cr4 & cr4MBZ != 0
        },
        Check("vmrun.dr", "APM 15.5.1: DR6[63:32] or DR7[63:32] set", .svmInvalid) { s, o in
            vmcb(s, o).dr6 >> 32 != 0 || vmcb(s, o).dr7 >> 32 != 0
        },
        Check("vmrun.long-mode", "APM 15.5.1: EFER.LME and CR0.PG with CR4.PAE = 0 or CR0.PE = 0, or CS.L and CS.D", .svmInvalid) { s, o in
            let v = vmcb(s, o)
            guard v.efer >> 8 & 1 == 1 && v.cr0 >> 31 & 1 == 1 else { return false }
            return v.cr4 >> 5 & 1 == 0 || v.cr0 & 1 == 0 || (v.csL && v.csD)
        },
        Check("vmrun.np-unsupported", "KVM nested_vmcb_check_controls: NP_ENABLE where CPUID 8000_000A EDX[0] does not offer nested paging (not in the APM 15.5.1 list)", .svmInvalid) { s, o in
            vmcb(s, o).nestedPaging && s.svmFeatures & 1 == 0
        },
        Check("vmrun.event-injection", "APM 15.20: EVENTINJ valid with a reserved type", .svmInvalid) { s, o in
            let event = vmcb(s, o).eventInjection
            return event >> 31 & 1 == 1 && [1, 5, 6, 7].contains(event >> 8 & 7)
        },
    ]) { s, o in
        s.rax = o.rax   // the operand is rAX: the host-save area keeps it
        enterGuest(&s, vmcb: o.rax)
        return .entered
    }

    /// The VMCB rAX points to (memory without one reads as zeros).
    static func vmcb(_ s: MachineState, _ o: Operands) -> VMCB { s.vmcbs[o.rax] ?? VMCB() }

    /// The segments VMRUN loads from the save area and #VMEXIT stores (APM 15.5.1: ES, CS, SS,
    /// DS; FS, GS, TR and LDTR are VMLOAD's and VMSAVE's).
    static let runSegments: [SegmentRegister] = [.es, .cs, .ss, .ds]

    /// What VMRUN and #VMEXIT save to a save area, the host's or the guest's (APM 15.5.1, 15.6):
    /// EFER, CR0/3/4, RFLAGS, RIP, RSP, RAX, the `runSegments`, GDTR and IDTR.
    static func store(_ s: MachineState, into area: inout VMCB) {
        area.descriptorTables = s.descriptorTables
        area.efer = s.efer
        area.cr0 = s.cr0
        area.cr3 = s.cr3
        area.cr4 = s.cr4
        area.rflags = s.rflags
        area.rip = s.rip
        area.rsp = s.rsp
        area.rax = s.rax
        for r in runSegments { area.segments[r] = s.segment(r) }
    }

    /// What VMRUN and #VMEXIT load from a save area: the same state as `store`, CS.L with CS.
    static func load(_ s: inout MachineState, from area: VMCB) {
        s.descriptorTables = area.descriptorTables
        s.efer = area.efer
        s.cr0 = area.cr0
        s.cr3 = area.cr3
        s.cr4 = area.cr4
        s.rflags = area.rflags
        s.rip = area.rip
        s.rsp = area.rsp
        s.rax = area.rax
        for r in runSegments { s.segments[r] = area.segment(r) }
        s.csL = area.csL
    }

    /// VMRUN after its checks (APM 15.5.1): the host's state goes to the host-save area at
    /// VM_HSAVE_PA (RIP is the next instruction's), the guest's comes from the VMCB save area,
    /// GIF is set.
    static func enterGuest(_ s: inout MachineState, vmcb address: UInt64) {
        var host = VMCB()
        store(s, into: &host)
        host.rip = s.rip &+ s.instructionLength
        s.vmcbs[s.hsavePA] = host

        let guest = s.vmcbs[address] ?? VMCB()
        load(&s, from: guest)
        s.cpl = Int(guest.cpl & 3)
        s.gif = true
        s.svmGuest = true
        s.guestVMCB = address
    }

    /// #VMEXIT (APM 15.6): the guest's state goes to its VMCB with EXITCODE, EXITINFO1/2 (zero
    /// for the instruction intercepts, APM 15.9), EXITINTINFO (no event in delivery: 0) and,
    /// when CPUID 8000_000A EDX[3] offers NRIP save, nRIP = the next instruction; the host
    /// comes back from VM_HSAVE_PA with CPL 0 and GIF = 0.
    static func exitToHost(_ s: inout MachineState, code: SVMExitCode) -> Outcome {
        if let address = s.guestVMCB {
            var v = s.vmcbs[address] ?? VMCB()
            v.exitCode = code.rawValue
            v.exitInfo1 = 0
            v.exitInfo2 = 0
            v.exitIntInfo = 0
            if s.nripSave { v.nextRIP = s.rip &+ s.instructionLength }
            store(s, into: &v)
            v.cpl = UInt64(s.cpl)
            s.vmcbs[address] = v
        }
        let host = s.vmcbs[s.hsavePA] ?? VMCB()
        load(&s, from: host)
        s.svmGuest = false
        s.guestVMCB = nil
        s.gif = false
        s.cpl = 0
        return .svmExit(code)
    }

    // MARK: VMLOAD / VMSAVE (APM Vol.3 "VMLOAD", "VMSAVE"; 15.5.2)

    /// The segment registers VMLOAD and VMSAVE move, with their hidden state.
    static let loadSaveSegments: [SegmentRegister] = [.fs, .gs, .tr, .ldtr]

    static let vmload = InstructionModel(.vmload, checks: prologue("vmload", .vmload) + [badAddress("vmload")]) { s, o in
        let v = vmcb(s, o)
        for r in loadSaveSegments { s.segments[r] = v.segment(r) }
        for m in ModelMSR.vmloadSet { s.setMSR(m.rawValue, v.msrs[m] ?? 0) }
        return .completed
    }

    static let vmsave = InstructionModel(.vmsave, checks: prologue("vmsave", .vmsave) + [badAddress("vmsave")]) { s, o in
        var v = vmcb(s, o)
        for r in loadSaveSegments { v.segments[r] = s.segment(r) }
        for m in ModelMSR.vmloadSet { v.msrs[m] = s.msr(m.rawValue) }
        s.vmcbs[o.rax] = v
        return .completed
    }

    // MARK: STGI / CLGI / SKINIT / INVLPGA

    static let stgi = InstructionModel(.stgi, checks: [
        svmDisabled("stgi", skinitEnables: true), realMode("stgi"), cplCheck("stgi"), intercepted(.stgi),
    ]) { s, _ in
        s.gif = true
        return .completed
    }

    static let clgi = InstructionModel(.clgi, checks: prologue("clgi", .clgi)) { s, _ in
        s.gif = false
        return .completed
    }

    static let skinit = InstructionModel(.skinit, checks: [
        svmDisabled("skinit", skinitEnables: true), realMode("skinit"), cplCheck("skinit"), intercepted(.skinit),
    ]) { _, _ in
        // The secure-loader launch reinitialises the processor: not modelled (Bochs panics here).
        .notModelled
    }

    static let invlpga = InstructionModel(.invlpga, checks: prologue("invlpga", .invlpga)) { _, _ in .completed }

    // MARK: VMMCALL

    static let vmmcall = InstructionModel(.vmmcall, checks: [
        Check("vmmcall.intercept", "APM VMMCALL: intercepted in a guest with EFER.SVME = 1 (any CPL)", .svmExit(.vmmcall)) { s, _ in
            s.efer & efer_SVME != 0 && s.svmGuest && s.guestVMCB.flatMap { s.vmcbs[$0] }?.intercepts.contains(.vmmcall) == true
        },
    ]) { _, _ in
        // Not intercepted, or outside a guest: #UD (APM VMMCALL; Bochs svm.cc l.1090-1101).
        .fault(.ud)
    }
}
