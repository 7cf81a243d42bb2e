/// The fact tables of `Data/tables`, compiled into the binary (SwiftPM `embedInCode`), so the
/// installed tool needs no data files beside it.
public enum DataTables {
    /// CPUID feature bits by report name (`Data/tables/cpuid_features.tsv`).
    public static var cpuidFeatures: TSVTable { TSVTable(PackageResources.cpuid_features_tsv) }
    /// CPUID 0x40000000 signatures (`Data/tables/hypervisor_signatures.tsv`).
    public static var hypervisorSignatures: TSVTable { TSVTable(PackageResources.hypervisor_signatures_tsv) }
    /// KVM_CHECK_EXTENSION capabilities worth asking /dev/kvm about (`Data/tables/kvm_capabilities.tsv`).
    public static var kvmCapabilities: TSVTable { TSVTable(PackageResources.kvm_capabilities_tsv) }
}
