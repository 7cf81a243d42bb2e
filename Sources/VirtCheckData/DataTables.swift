/// The fact tables of `Data/tables`, compiled into the binary (SwiftPM `embedInCode`), so the
/// installed tool needs no data files beside it. Each is parsed once per process: decoders
/// run once per host, a thousand times in one `baseline`.
public enum DataTables {
    /// CPUID feature bits by report name (`Data/tables/cpuid_features.tsv`).
    public static let cpuidFeatures = TSVTable(PackageResources.cpuid_features_tsv)
    /// CPUID feature bits hypervisors pass to guests, compared by `diff` and `baseline`
    /// (`Data/tables/guest_cpu_features.tsv`).
    public static let guestCPUFeatures = TSVTable(PackageResources.guest_cpu_features_tsv)
    /// CPUID 0x40000000 signatures (`Data/tables/hypervisor_signatures.tsv`).
    public static let hypervisorSignatures = TSVTable(PackageResources.hypervisor_signatures_tsv)
    /// VMX capability MSR bits by decoder key (`Data/tables/vmx_msr_bits.tsv`).
    public static let vmxMsrBits = TSVTable(PackageResources.vmx_msr_bits_tsv)
    /// KVM_CHECK_EXTENSION capabilities worth asking /dev/kvm about (`Data/tables/kvm_capabilities.tsv`).
    public static let kvmCapabilities = TSVTable(PackageResources.kvm_capabilities_tsv)
    /// Sensitive and privileged x86 instructions judged by Popek and Goldberg's theorem, with what
    /// closes each gap (`Data/tables/popek_goldberg.tsv`).
    public static let popekGoldberg = TSVTable(PackageResources.popek_goldberg_tsv)
    /// Documented virtualization facts of CPU models (`Data/rules/cpu_models.tsv`).
    public static let cpuModels = TSVTable(PackageResources.cpu_models_tsv)
}
