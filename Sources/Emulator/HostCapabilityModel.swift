import HostModel

/// What the report's `emulator` section says: the VMX/SVM model configured from the checked
/// host's own capabilities (its IA32_VMX_* MSRs, or its SVM CPUID leaf, live or captured), stating
/// what a hypervisor may use on this CPU and what VMXON and VM entry demand here. The model is
/// run on this configuration (VMXON and VM entry of the minimal VMCS, or VMRUN) so the section is
/// the model's own answer for this CPU, not a table lookup. The reference CPU's self-test against
/// the SDM/APM vectors is `virtcheck verify`'s business, not every report's.
public struct HostCapabilityModel: Codable, Sendable, Hashable {
    public enum Architecture: String, Codable, Sendable, Hashable { case vmx, svm, none }

    /// A VMX control MSR as VM entry applies it (the TRUE_* MSR when IA32_VMX_BASIC[55] = 1).
    public struct Controls: Codable, Sendable, Hashable {
        /// Which MSR (e.g. `IA32_VMX_TRUE_PINBASED_CTLS`).
        public var msr: String
        /// Bits VM entry requires to be 1 (allowed-0 settings) and allows to be 1 (allowed-1).
        public var mustBeOne: String
        public var mayBeOne: String
    }

    public struct VMX: Codable, Sendable, Hashable {
        public var revisionId: UInt32
        /// VMXON and VM entry demand these CR0/CR4 bits (IA32_VMX_CRx_FIXED0/1, SDM A.7-A.8);
        /// must-be-zero is shown for bits 31:0.
        public var cr0MustBeOne: String
        public var cr0MustBeZero: String
        public var cr4MustBeOne: String
        public var cr4MustBeZero: String
        /// VMXON/VMCS/MSR-area addresses must lie below 2^this (MAXPHYADDR, or 32 with BASIC[48]).
        public var addressWidth: Int
        public var trueControls: Bool
        public var pinbased: Controls
        public var procbased: Controls
        /// Nil when "activate secondary controls" cannot be set.
        public var secondary: Controls?
        public var exit: Controls
        public var entry: Controls
        /// Features a hypervisor may enable here, by the SDM's names.
        public var ept: Bool
        public var vpid: Bool
        public var unrestrictedGuest: Bool
        public var vmcsShadowing: Bool
        public var eptpSwitching: Bool
        /// EPT page-walk lengths, memory types and INVEPT/INVVPID types IA32_VMX_EPT_VPID_CAP allows.
        public var eptPageWalks: [Int]
        public var eptMemoryTypes: [String]
        public var eptAccessedDirty: Bool
        public var inveptTypes: [String]
        public var invvpidTypes: [String]
        /// IA32_VMX_MISC: CR3-target values, activity states beyond active, MSR-area entries.
        public var cr3Targets: Int
        public var activityStates: [String]
        public var maxMSRAreaEntries: Int
        public var vmwriteExitInformation: Bool
        /// The model run on this CPU's configuration: VMXON from a state with exactly the
        /// required CR0/CR4 bits, then VMLAUNCH of a VMCS holding only the must-be-one controls.
        public var modelVMXON: String
        public var modelVMEntry: String
    }

    public struct SVM: Codable, Sendable, Hashable {
        /// CPUID 8000_000A EAX[7:0], EBX (number of ASIDs), EDX (features by APM name).
        public var revision: Int
        public var asids: Int
        public var features: [String]
        public var nestedPaging: Bool
        public var nripSave: Bool
        public var addressWidth: Int
        /// EFER bits VMRUN requires to be zero here (APM 15.5.1): the architectural MBZ bits plus
        /// NXE and FFXSR where CPUID 8000_0001 EDX does not offer NX or FFXSR (a KVM guest's CPUID
        /// often lacks FFXSR, which a bare-metal AMD CPU has). Nil in reports of older versions.
        public var eferMustBeZero: String?
        /// VMRUN of a valid 64-bit VMCB, and whether #VMEXIT then records nRIP, on this configuration.
        public var modelVMRUN: String
        public var modelNRIPSaved: Bool
    }

    public var architecture: Architecture
    /// Where the capabilities came from.
    public var source: String
    /// Why there is no model for this host (architecture `none`).
    public var detail: String?
    public var vmx: VMX?
    public var svm: SVM?

    // MARK: building

    /// CPUID 8000_000A EDX feature names (AMD APM Vol.3 E.4.9; Linux cpufeatures.h; svm_cpuid_bits.tsv).
    static let svmFeatureNames: [(Int, String)] = [
        (0, "NP"), (1, "LbrVirt"), (2, "SVML"), (3, "NRIPS"), (4, "TscRateMsr"), (5, "VmcbClean"),
        (6, "FlushByAsid"), (7, "DecodeAssists"), (10, "PauseFilter"), (12, "PauseFilterThreshold"), (13, "AVIC"),
        (15, "VMSAVEvirt"), (16, "VGIF"), (17, "GMET"), (18, "x2AVIC"), (19, "SSSCheck"), (20, "SpecCtrl"),
    ]

    /// The model for the host a snapshot describes: VMX when a CPU's VMX MSRs were read, SVM
    /// when CPUID reports SVM, else `none` with the reason.
    public static func of(_ snapshot: Snapshot) -> HostCapabilityModel {
        let table = snapshot.cpuid?.cpus.first
        let width = table?.leaf(0x8000_0008).map { Int($0.eax & 0xFF) } ?? 0
        // VMX MSRs count only where CPUID reports VMX and IA32_VMX_BASIC is not zero (an emulator
        // such as QEMU TCG on AMD answers 0 for MSRs it does not implement).
        if let msrs = snapshot.msrs, table?.bit(leaf: 1, register: "ecx", bit: 5) != false,
           let cpu = msrs.cpus.first(where: { VMXCapabilityMSRs(evidence: $0, physicalAddressWidth: 0).map { $0.basic != 0 } ?? false }) {
            guard width > 0, let capabilities = VMXCapabilityMSRs(evidence: cpu, physicalAddressWidth: width) else {
                return HostCapabilityModel(architecture: .none, source: msrs.source,
                                           detail: "the VMX MSRs were read but CPUID 0x80000008 (MAXPHYADDR) was not", vmx: nil, svm: nil)
            }
            return vmx(capabilities, source: "IA32_VMX_* MSRs of CPU \(cpu.cpu) (\(msrs.source)); MAXPHYADDR \(width) from CPUID 0x80000008")
        }
        if let table, table.bit(leaf: 0x8000_0001, register: "ecx", bit: 2) == true, let leaf = table.leaf(0x8000_000A) {
            return svm(revision: Int(leaf.eax & 0xFF), asids: Int(leaf.ebx), features: UInt64(leaf.edx), physicalAddressWidth: width,
                       extendedFeatures: table.leaf(0x8000_0001).map { UInt64($0.edx) } ?? 0,
                       source: "CPUID 0x8000000A of CPU \(table.cpu) (\(snapshot.cpuid?.source ?? "cpuid"))")
        }
        let why = snapshot.msrs == nil
            ? "no VMX capability MSRs were read (not an Intel CPU with VMX, or /dev/cpu/N/msr unreadable) and CPUID reports no SVM"
            : "the VMX capability MSRs could not be read and CPUID reports no SVM"
        let source = [snapshot.cpuid.map { "CPUID (\($0.source))" }, snapshot.msrs.map { "MSRs (\($0.source))" }]
            .compactMap { $0 }.joined(separator: ", ")
        return HostCapabilityModel(architecture: .none, source: source.isEmpty ? "no CPUID or MSR evidence" : source,
                                   detail: why, vmx: nil, svm: nil)
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    static func controls(_ name: String, _ value: UInt64) -> Controls {
        Controls(msr: name, mustBeOne: hex(value & 0xFFFF_FFFF), mayBeOne: hex(value >> 32))
    }

    /// The model configured from one CPU's VMX capability MSRs.
    public static func vmx(_ c: VMXCapabilityMSRs, source: String) -> HostCapabilityModel {
        let prefix = c.trueControls ? "IA32_VMX_TRUE_" : "IA32_VMX_"
        let cap = c.eptVPIDCap
        func bit(_ n: Int) -> Bool { cap >> UInt64(n) & 1 == 1 }
        var outside = VectorBase.outside.state(c)
        let vmxon = InstructionModel.standard(.vmxon).execute(&outside, Operands(address: VectorBase.vmxonRegion))
        var current = VectorBase.current.state(c)
        let entry = InstructionModel.standard(.vmlaunch).execute(&current, Operands())
        let activity = [(6, "HLT"), (7, "shutdown"), (8, "wait-for-SIPI")].filter { c.misc >> UInt64($0.0) & 1 == 1 }.map(\.1)
        let model = VMX(
            revisionId: c.revisionID,
            cr0MustBeOne: hex(c.cr0Fixed0), cr0MustBeZero: hex(~c.cr0Fixed1 & 0xFFFF_FFFF),
            cr4MustBeOne: hex(c.cr4Fixed0), cr4MustBeZero: hex(~c.cr4Fixed1 & 0xFFFF_FFFF),
            addressWidth: c.addressLimitBits, trueControls: c.trueControls,
            pinbased: controls(prefix + "PINBASED_CTLS", c.entryPinbased),
            procbased: controls(prefix + "PROCBASED_CTLS", c.entryProcbased),
            secondary: c.procbased >> 63 == 1 ? controls("IA32_VMX_PROCBASED_CTLS2", c.procbased2) : nil,
            exit: controls(prefix + "EXIT_CTLS", c.entryExit),
            entry: controls(prefix + "ENTRY_CTLS", c.entryEntry),
            ept: c.allowsSecondary(1), vpid: c.allowsSecondary(5), unrestrictedGuest: c.allowsSecondary(7),
            vmcsShadowing: c.vmcsShadowing, eptpSwitching: c.allowsSecondary(13) && c.vmfunc & 1 == 1,
            eptPageWalks: [(6, 4), (7, 5)].filter { bit($0.0) }.map(\.1),
            eptMemoryTypes: [(8, "UC"), (14, "WB")].filter { bit($0.0) }.map(\.1),
            eptAccessedDirty: bit(21),
            inveptTypes: c.invept ? [(25, "single-context"), (26, "all-context")].filter { bit($0.0) }.map(\.1) : [],
            invvpidTypes: c.invvpid ? [(40, "individual-address"), (41, "single-context"), (42, "all-context"),
                                       (43, "single-context-retaining-globals")].filter { bit($0.0) }.map(\.1) : [],
            cr3Targets: Int(c.misc >> 16 & 0x1FF), activityStates: activity,
            maxMSRAreaEntries: 512 * Int((c.misc >> 25 & 7) + 1), vmwriteExitInformation: c.vmwriteAnyField,
            modelVMXON: vmxon.description, modelVMEntry: entry.description)
        return HostCapabilityModel(architecture: .vmx, source: source, detail: nil, vmx: model, svm: nil)
    }

    /// The model configured from a CPU's SVM CPUID leaf (8000_000A) and its extended features
    /// (8000_0001 EDX, which decide the EFER bits VMRUN accepts).
    public static func svm(revision: Int, asids: Int, features: UInt64, physicalAddressWidth: Int, extendedFeatures: UInt64,
                           source: String) -> HostCapabilityModel {
        var capabilities = VMXCapabilityMSRs.reference
        if physicalAddressWidth > 0 { capabilities.physicalAddressWidth = physicalAddressWidth }
        var host = VectorBase.svm.state(capabilities)
        host.svmFeatures = features
        host.extendedFeatures = extendedFeatures
        let eferReserved = SVMInstructions.eferReserved(host)
        let run = InstructionModel.standard(.vmrun).execute(&host, Operands(rax: VectorBase.vmcbAddress))
        // An intercepted VMRUN inside that guest: does #VMEXIT record nRIP here?
        _ = InstructionModel.standard(.vmrun).execute(&host, Operands(rax: VectorBase.vmcbAddress))
        let nrip = host.vmcbs[VectorBase.vmcbAddress]?.nextRIP ?? 0
        let model = SVM(revision: revision, asids: asids,
                        features: svmFeatureNames.filter { features >> UInt64($0.0) & 1 == 1 }.map(\.1),
                        nestedPaging: features & 1 == 1, nripSave: features >> 3 & 1 == 1, addressWidth: physicalAddressWidth,
                        eferMustBeZero: hex(eferReserved), modelVMRUN: run.description, modelNRIPSaved: nrip != 0)
        return HostCapabilityModel(architecture: .svm, source: source, detail: nil, vmx: nil, svm: model)
    }
}
