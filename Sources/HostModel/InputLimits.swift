/// Limits shared by several readers of untrusted input. docs/reliability.md lists every limit,
/// these and the ones each reader keeps beside its own code, with what happens at it.
public enum InputLimits {
    /// Linux's largest NR_CPUS (x86-64 MAXSMP). A capture listing more CPUs than any kernel can
    /// run is not one host; refusing it at the count also keeps per-CPU work bounded.
    public static let maxCpus = 8192

    /// PCI functions one input may name (a snapshot's devices, an IOMMU listing's members, an
    /// `lspci` paste). Real hosts, SR-IOV virtual functions included, stay well below it; the
    /// passthrough analysis compares each function with its group and bus.
    public static let maxPCIFunctions = 4096

    /// IOMMU units (VT-d DRHDs, AMD-Vi IOMMUs) one input may name: Linux's
    /// CONFIG_DMAR_UNITS_SUPPORTED is at most 1024 (its MAXSMP default; drivers/iommu/intel/Kconfig).
    /// Each unit's registers are decoded and reported, so 300,000 units in a 28 MB dmesg ran for
    /// minutes in gigabytes; a few dozen is a large server.
    public static let maxIOMMUUnits = 1024

    /// Nesting depth of a policy or snapshot document. Real ones nest a few levels (a snapshot
    /// about eight); the parsers recurse once per level, so a document thousands of levels deep
    /// in a few kilobytes would overflow the stack (a SIGSEGV, not an error) if handed to them.
    public static let maxNestingDepth = 64
}
