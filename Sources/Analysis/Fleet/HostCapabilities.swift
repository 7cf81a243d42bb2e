import HostModel

/// What one host offers its guests, reduced to what migration compatibility needs: which
/// catalogue capabilities are present, which are known at all (a VT-x control no source
/// speaks about is unknown, never absent), the address widths and the vendor. Small by design:
/// a baseline over ten thousand hosts keeps one of these per host and no snapshot.
public struct HostCapabilities: Sendable, Hashable {
    /// How the host is named in reports: the path it was read from.
    public var label: String
    public var vendor: String?
    public var brand: String?
    public var present: CapabilityBits
    public var known: CapabilityBits
    /// CPUID 80000008h:EAX[7:0] (or cpuinfo's `address sizes`): the widest guest-physical
    /// address a VM on this host can be given.
    public var physicalAddressBits: Int?
    /// CPUID 80000008h:EAX[15:8]: linear (virtual) address width.
    public var linearAddressBits: Int?

    public init(label: String, vendor: String?, brand: String?, present: CapabilityBits, known: CapabilityBits,
                physicalAddressBits: Int?, linearAddressBits: Int?) {
        self.label = label
        self.vendor = vendor
        self.brand = brand
        self.present = present
        self.known = known
        self.physicalAddressBits = physicalAddressBits
        self.linearAddressBits = linearAddressBits
    }

    /// Decodes a snapshot: CPUID bits from CPU 0's table (or, without CPUID, the cpuinfo/lscpu
    /// flags Linux shows), the rest from the same facts `check` reports.
    public init(snapshot: Snapshot, label: String) {
        let facts = FactsDecoder.decode(snapshot)
        self.init(facts: facts, table: snapshot.cpuid?.cpus.first, msrs: snapshot.msrs?.cpus.first,
                  addressSizes: Self.cpuinfoAddressSizes(snapshot), label: label)
    }

    init(facts: HostFacts, table: CPUIDTable?, msrs: MSREvidence.CPU?, addressSizes: (Int, Int)?, label: String) {
        var present = CapabilityBits.empty
        var known = CapabilityBits.empty
        let flags = facts.kernelFlags.map(Set.init)
        if let table {
            CPUIDBitReader.read(table, present: &present, known: &known)
        } else if let flags {
            // Without CPUID, what Linux shows: CPUID bits, AMD-V capabilities and SEV by flag.
            for (i, c) in GuestCapability.catalogue.enumerated() {
                guard let flag = c.linuxFlag else { continue }
                known.insert(i)
                present.set(i, flags.contains(flag))
            }
        }
        // A 32-bit dumping tool, or a 32-bit kernel's flags, read such bits as 0.
        Self.forgetModeDependentBits(vendor: facts.identity.vendor, present: present, known: &known)
        func put(_ name: String, _ value: Bool?) {
            guard let i = GuestCapability.indexByName[name], let value else { return }
            known.insert(i)
            present.set(i, value)
        }
        let vmxIndex = GuestCapability.indexByName["vmx"]!
        let svmIndex = GuestCapability.indexByName["svm"]!
        if let v = facts.vmx {
            put("vmx.ept", v.ept)
            put("vmx.vpid", v.vpid)
            put("vmx.unrestricted_guest", v.unrestrictedGuest)
            put("vmx.vmcs_shadowing", v.vmcsShadowing)
            put("vmx.apic_register_virtualization", v.apicRegisterVirtualization)
            put("vmx.virtual_interrupt_delivery", v.virtualInterruptDelivery)
            put("vmx.posted_interrupts", v.postedInterrupts)
            put("vmx.pml", v.pml)
            put("vmx.ept_5level", v.ept5level)
            put("vmx.ept_accessed_dirty", v.eptAccessedDirty)
            put("vmx.mbec", v.mbec)
            put("vmx.preemption_timer", v.preemptionTimer)
            put("vmx.vmfunc", v.vmfunc)
            put("vmx.tsc_scaling", v.tscScaling)
        } else if known.contains(vmxIndex) && !present.contains(vmxIndex) {
            // No VT-x at all: none of its controls exist.
            for c in GuestCapability.catalogue where c.name.hasPrefix("vmx.") { put(c.name, false) }
        }
        if let s = facts.svm {
            put("svm.npt", s.nestedPaging)
            put("svm.lbr_virt", s.lbrVirt)
            put("svm.nrip_save", s.nripSave)
            put("svm.tsc_rate_msr", s.tscRateMsr)
            put("svm.vmcb_clean", s.vmcbClean)
            put("svm.flush_by_asid", s.flushByAsid)
            put("svm.decode_assists", s.decodeAssists)
            put("svm.pause_filter", s.pauseFilter)
            put("svm.avic", s.avic)
            put("svm.vmsave_virt", s.vmsaveVirt)
            put("svm.vgif", s.vgif)
            put("svm.x2avic", s.x2avic)
        } else if known.contains(svmIndex) && (!present.contains(svmIndex) || table != nil) {
            // No AMD-V, or AMD-V whose 8000000Ah leaf is out of range: no capabilities to offer.
            for c in GuestCapability.catalogue where c.name.hasPrefix("svm.") { put(c.name, false) }
        }
        if table != nil {
            put("sev", facts.sev?.sev ?? false)
            put("sev_es", facts.sev?.sevEs ?? false)
            put("sev_snp", facts.sev?.sevSnp ?? false)
        }
        put("tdx", Self.tdx(vendor: facts.identity.vendor, msrs: msrs, flags: flags))

        var widths: (Int, Int)?
        if let table, table.maxExtendedLeaf >= 0x8000_0008, let l = table.leaf(0x8000_0008), l.eax & 0xFF != 0 {
            widths = (Int(l.eax & 0xFF), Int((l.eax >> 8) & 0xFF))
        }
        self.init(label: label, vendor: facts.identity.vendor, brand: facts.identity.brand, present: present, known: known,
                  physicalAddressBits: (widths ?? addressSizes)?.0, linearAddressBits: (widths ?? addressSizes)?.1)
    }

    /// A CPUID bit whose value depends on the mode of the code that executed CPUID, not only on
    /// the CPU: Intel reports SYSCALL/SYSRET (CPUID 80000001H:EDX[11]) only to code running in
    /// 64-bit mode (SDM Vol.2A Table 3-8, "SYSCALL/SYSRET available in 64-bit mode"), so a
    /// 32-bit dumping tool reads 0 on a 64-bit CPU. AMD reports it in every mode.
    struct ModeDependentBit: Sendable {
        var name: String
        var vendor: String
        /// The capability whose presence makes a 0 meaningless (a CPU with long mode has the bit
        /// in 64-bit mode; one without long mode truly lacks it).
        var presentWith: String
    }

    static let modeDependentBits = [ModeDependentBit(name: "syscall", vendor: "GenuineIntel", presentWith: "lm")]

    /// A mode-dependent bit that reads 0 while its companion is present says nothing about the
    /// CPU: unknown, not absent, so `diff` and `baseline` never call it missing.
    static func forgetModeDependentBits(vendor: String?, present: CapabilityBits, known: inout CapabilityBits) {
        for bit in modeDependentBits where bit.vendor == vendor {
            guard let i = GuestCapability.indexByName[bit.name], let companion = GuestCapability.indexByName[bit.presentWith],
                  present.contains(companion), !present.contains(i) else { continue }
            known.remove(i)
        }
    }

    /// TDX host support: private KeyIDs partitioned by firmware (MSR 87h[63:32] non-zero), or
    /// Linux's `tdx_host_platform` flag. Not Intel: no TDX. Intel with neither readable: unknown.
    static func tdx(vendor: String?, msrs: MSREvidence.CPU?, flags: Set<String>?) -> Bool? {
        if let vendor, vendor != "GenuineIntel" { return false }
        if flags?.contains("tdx_host_platform") == true { return true }
        if let partitioning = msrs?.value(0x87) { return partitioning >> 32 != 0 }
        // EIO: the CPU has no such MSR, so no MKTME/TDX; denied or absent says nothing.
        if msrs?.read(0x87)?.status == .unsupported { return false }
        return nil
    }

    /// `address sizes : 46 bits physical, 48 bits virtual` from cpuinfo, when there is no CPUID.
    static func cpuinfoAddressSizes(_ s: Snapshot) -> (Int, Int)? {
        guard s.cpuid == nil, let sizes = FactsDecoder.cpuTexts(s).cpuinfo?.processors.first?.value("address sizes") else { return nil }
        let numbers = sizes.asciiDigitRuns().compactMap { Int($0) }
        return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
    }
}
