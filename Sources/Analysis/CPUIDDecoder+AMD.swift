import HostModel

extension CPUIDDecoder {
    /// CPUID.0 vendor strings of the CPUs that implement AMD-V.
    static let svmVendors: Set<String> = ["AuthenticAMD", "HygonGenuine"]

    /// AMD-V capabilities from CPUID 0x8000000A; nil when CPUID.80000001h:ECX[2] (SVM) is clear
    /// or out of range, because the leaf is meaningless then (QEMU's Intel models fill it in),
    /// and nil for vendors other than AMD and Hygon, the only ones that implement AMD-V: Linux's
    /// cpu_has_svm() refused others ("not amd or hygon"), and VIA CPUs older than the bit's
    /// definition leave ECX unwritten, so a dump shows whatever the caller had there.
    /// `vmcr` is MSR VM_CR (0xC0010114) when it could be read: bit 4 SVMDIS (firmware disabled
    /// SVM), bit 3 LOCK (APM Vol.2 15.30.1; Linux SVM_VM_CR_SVM_DIS_MASK / _LOCK_MASK).
    /// SVM with 0x8000000A out of range reads as revision 0 with no sub-features.
    public static func svm(_ t: CPUIDTable, vmcr: UInt64?) -> SVMFacts? {
        guard t.bit(leaf: 0x8000_0001, register: "ecx", bit: 2) == true,
              let vendor = identity(t).vendor, svmVendors.contains(vendor) else { return nil }
        let leaf = t.maxExtendedLeaf >= 0x8000_000A ? t.leaf(0x8000_000A) : nil
        var f = SVMFacts(revision: Int((leaf?.eax ?? 0) & 0xFF), nasid: leaf?.ebx ?? 0)
        let edx = leaf?.edx ?? 0
        func on(_ bit: UInt32) -> Bool { (edx >> bit) & 1 == 1 }
        // Fn8000_000A_EDX (APM Vol.3 App.E; Linux cpufeatures.h word 15; Bochs cpuid.h).
        f.nestedPaging = on(0)
        f.lbrVirt = on(1)
        f.svmLock = on(2)
        f.nripSave = on(3)
        f.tscRateMsr = on(4)
        f.vmcbClean = on(5)
        f.flushByAsid = on(6)
        f.decodeAssists = on(7)
        f.pauseFilter = on(10)
        f.pauseFilterThreshold = on(12)
        f.avic = on(13)
        f.vmsaveVirt = on(15)
        f.vgif = on(16)
        f.gmet = on(17)
        f.x2avic = on(18)
        f.sssCheck = on(19)
        f.specCtrl = on(20)
        f.rogpt = on(21)
        f.hostMceOverride = on(23)
        f.tlbiCtl = on(24)
        f.vnmi = on(25)
        f.ibsVirt = on(26)
        f.vmcbAddrCheck = on(28)
        f.disabledByBios = vmcr.map { $0 & 0x10 != 0 }
        f.vmcrLocked = vmcr.map { $0 & 0x08 != 0 }
        return f
    }

    /// Memory encryption from CPUID 0x8000001F; nil when the leaf is out of range, missing, or
    /// advertises nothing (EAX = 0), so a report's `sev: null` means "no SME/SEV here".
    public static func sev(_ t: CPUIDTable) -> SEVFacts? {
        guard t.maxExtendedLeaf >= 0x8000_001F, let leaf = t.leaf(0x8000_001F), leaf.eax != 0 else { return nil }
        func on(_ bit: UInt32) -> Bool { (leaf.eax >> bit) & 1 == 1 }
        var f = SEVFacts()
        // Fn8000_001F_EAX (APM Vol.3 App.E; Linux cpufeatures.h word 19).
        f.sme = on(0)
        f.sev = on(1)
        f.vmPageFlush = on(2)
        f.sevEs = on(3)
        f.sevSnp = on(4)
        f.vmplSupported = on(5)
        f.secureTsc = on(8)
        f.smeCoherent = on(10)
        f.debugSwap = on(14)
        f.cbitPosition = Int(leaf.ebx & 0x3F)
        f.physAddrReduction = Int((leaf.ebx >> 6) & 0x3F)
        f.encryptedGuests = leaf.ecx
        f.minSevAsid = leaf.edx
        return f
    }
}
