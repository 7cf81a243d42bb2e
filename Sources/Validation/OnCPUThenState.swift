import Emulator
import HostModel
import HostProbe

/// `verify --on-cpu` beyond the outcome: a vector's `then` column held against the state the guest
/// left behind, one field at a time, where the guest's outcome agrees with the model's (a different
/// outcome leaves different state, and is already the disagreement). What can be read back:
/// - the page at RAX after the run (guest RAM, read by userspace): after a VMRUN that failed, a
///   VMLOAD, a VMSAVE, the `vmcb@RAX` fields (EXITCODE, EXITINFO1/2, RIP, nRIP, RAX, the save area);
/// - after a VMRUN that entered the guest, the state #VMEXIT saved there when the harness's guest
///   came back: what that guest cannot change (CR0, CR3, CR4, EFER, CPL, ES/CS/SS/DS, GDTR, IDTR),
///   so the vector's registers after VMRUN are read from it;
/// - after VMLOAD, L1's own VMSAVE of its state (FS, GS, TR, LDTR, KernelGsBase, STAR, LSTAR,
///   CSTAR, SFMASK, SYSENTER_CS/ESP/EIP): what VMLOAD loaded, as the CPU holds it.
/// After an entered VMRUN a key whose source field the harness wrote with its own value (its
/// guest's EFER, say, where the vector left the model's valid VMCB alone) says nothing about the
/// vector and is listed as not observed.
/// Every other `then` setting is listed as not observed, never silently dropped.
public enum OnCPUThenState {
    /// One `then` setting compared: the model's value and the guest's, spelled as vectors write them.
    public struct Field: Codable, Sendable, Hashable {
        /// The key as the vector writes it (`vmcb@0x5000.exitcode`, `fs.base`, ...).
        public var field: String
        public var model: String
        public var observed: String
        public var agrees: Bool
        /// The documented deviation that names exactly this vector, field and observed value.
        public var knownDeviation: String?
    }

    /// The segments VMRUN loads from the save area and #VMEXIT saves back (APM 15.5.1, 15.6).
    static let runSegments: [(SegmentRegister, VMCBField)] = [(.es, .es), (.cs, .cs), (.ss, .ss), (.ds, .ds)]
    /// Every segment of a save area (APM table B-2).
    static let allSegments: [(SegmentRegister, VMCBField)] = runSegments + [(.fs, .fs), (.gs, .gs), (.ldtr, .ldtr), (.tr, .tr)]
    static let tables: [(DescriptorTableRegister.Name, VMCBField)] = [(.gdtr, .gdtr), (.idtr, .idtr)]
    static let msrFields: [(ModelMSR, VMCBField)] = [(.star, .star), (.lstar, .lstar), (.cstar, .cstar), (.sfmask, .sfmask),
                                                    (.kernelGSBase, .kernelGSBase), (.sysenterCS, .sysenterCS),
                                                    (.sysenterESP, .sysenterESP), (.sysenterEIP, .sysenterEIP)]
    /// L1's registers VMSAVE stores (APM 15.5.2).
    static let savedSegments: [(SegmentRegister, VMCBField)] = [(.fs, .fs), (.gs, .gs), (.ldtr, .ldtr), (.tr, .tr)]

    /// Compares the vector's `then` settings with the guest's state; `final` is the model's state
    /// after the instruction, `outcome` the outcome both agree on, `written` the case the harness ran.
    public static func compare(_ vector: ConformanceVector, model final: MachineState, outcome: Outcome, report: SVMCaseReport,
                               written: SVMGuestCase, backend: String?) -> (fields: [Field], unobserved: [String]) {
        let page = vector.operands.rax & ~0xFFF
        let image = report.vmcbImage
        var seen = final
        let observable: (StateSetting) -> Bool
        if outcome == .entered {
            if let image { loadGuest(&seen, from: image) }
            // The guest as the vector meant it and as the harness wrote it: keys where they differ are the harness's.
            var meant = final
            var ran = final
            let entered = Int(page)
            if let model = try? vector.initialState(final.capabilities).vmcbs[page] {
                loadGuest(&meant, from: OnCPUSVMRun.image(model, base: nil, harness: VMCBImage()))
            }
            loadGuest(&ran, from: VMCBImage(bytes: entered == GuestMemoryLayout.SVM.vmcb ? written.vmcb : written.pages[entered] ?? written.vmcb))
            observable = { setting in image != nil && enteredKey(setting.key) && setting.actual(in: meant) == setting.actual(in: ran) }
        } else {
            if let image { seen.vmcbs[page] = decode(image, over: final.vmcbs[page] ?? VMCB()) }
            let l1 = report.fault == nil ? report.l1SavedImage : nil
            if let l1 { loadSaved(&seen, from: l1) }
            observable = { setting in notEnteredKey(setting.key, page: image == nil ? nil : page, l1: l1 != nil) }
        }
        var fields: [Field] = []
        var unobserved: [String] = []
        for setting in vector.then {
            let name = String(setting.text.prefix { $0 != "=" })
            guard observable(setting) else {
                unobserved.append(name)
                continue
            }
            let model = setting.actual(in: final)
            let observed = setting.actual(in: seen)
            let known = model == observed ? nil
                : KnownDeviation.explaining(vector: vector.name, field: name, observed: observed, backend: backend)
            fields.append(Field(field: name, model: model, observed: observed, agrees: model == observed,
                                knownDeviation: known.map { "\($0.explanation) (\($0.source))" }))
        }
        return (fields, unobserved)
    }

    /// After an entered VMRUN: the guest's registers the harness's guest leaves alone, as the
    /// #VMEXIT that brought it back saved them.
    static func enteredKey(_ key: StateSetting.Key) -> Bool {
        switch key {
        case .cr0, .cr3, .cr4, .efer, .cpl, .csL, .descriptorTable: true
        case .segment(let r, _): runSegments.contains { $0.0 == r }
        case .bit(let base, _): enteredKey(base)
        default: false
        }
    }

    /// After any other outcome: the page at RAX (when read) and L1's VMSAVE of itself (after a VMLOAD round).
    static func notEnteredKey(_ key: StateSetting.Key, page: UInt64?, l1: Bool) -> Bool {
        switch key {
        case .vmcb(let a, _), .vmcbExitCode(let a), .vmcbSegment(let a, _, _), .vmcbMSR(let a, _), .vmcbDescriptorTable(let a, _, _):
            a == page
        case .segment(let r, _): l1 && savedSegments.contains { $0.0 == r }
        case .msr(let index): l1 && msrFields.contains { $0.0.rawValue == index }
        case .bit(let base, _): notEnteredKey(base, page: page, l1: l1)
        default: false
        }
    }

    static func segment(_ image: VMCBImage, _ field: VMCBField) -> Segment {
        let at = field.rawValue
        return Segment(selector: UInt16(image.read(at: at, width: 2)),
                       attributes: Segment.accessRights(vmcb: UInt16(image.read(at: at + 2, width: 2))),
                       limit: UInt32(image.read(at: at + 4, width: 4)), base: image.read(at: at + 8, width: 8))
    }

    static func table(_ image: VMCBImage, _ field: VMCBField) -> DescriptorTableRegister {
        DescriptorTableRegister(base: image.read(at: field.rawValue + 8, width: 8), limit: UInt32(image.read(at: field.rawValue + 4, width: 4)))
    }

    /// The registers #VMEXIT saved in the save area, as the guest's state.
    static func loadGuest(_ s: inout MachineState, from image: VMCBImage) {
        s.cr0 = image[.cr0]
        s.cr3 = image[.cr3]
        s.cr4 = image[.cr4]
        s.efer = image[.efer]
        s.cpl = Int(image.read(at: VMCBField.cpl.rawValue, width: 1))
        for (register, field) in runSegments { s.segments[register] = segment(image, field) }
        s.csL = s.segment(.cs).l
        for (name, field) in tables { s.descriptorTables[name] = table(image, field) }
    }

    /// L1's own VMSAVE page as its registers.
    static func loadSaved(_ s: inout MachineState, from image: VMCBImage) {
        for (register, field) in savedSegments { s.segments[register] = segment(image, field) }
        for (msr, field) in msrFields { s.setMSR(msr.rawValue, image[field]) }
    }

    /// The VMCB page as the model's VMCB: the fields #VMEXIT, VMSAVE and the save area hold; the
    /// control fields only the vector writes (intercepts, ASID, maps) stay as `v` has them.
    static func decode(_ image: VMCBImage, over v: VMCB) -> VMCB {
        var out = v
        out.exitCode = image[.exitCode]
        out.exitInfo1 = image[.exitInfo1]
        out.exitInfo2 = image[.exitInfo2]
        out.exitIntInfo = image[.exitIntInfo]
        out.nextRIP = image[.nextRIP]
        out.eventInjection = image[.eventInjection]
        out.efer = image[.efer]
        out.cr0 = image[.cr0]
        out.cr3 = image[.cr3]
        out.cr4 = image[.cr4]
        out.dr6 = image[.dr6]
        out.dr7 = image[.dr7]
        out.rflags = image[.rflags]
        out.rip = image[.rip]
        out.rsp = image[.rsp]
        out.rax = image[.rax]
        out.cpl = image.read(at: VMCBField.cpl.rawValue, width: 1)
        for (register, field) in allSegments { out.segments[register] = segment(image, field) }
        for (name, field) in tables { out.descriptorTables[name] = table(image, field) }
        for (msr, field) in msrFields { out.msrs[msr] = image[field] }
        return out
    }
}
