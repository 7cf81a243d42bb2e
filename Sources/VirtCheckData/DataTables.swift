/// The fact tables of `Data/tables`, compiled into the binary (SwiftPM `embedInCode`), so the
/// installed tool needs no data files beside it.
public enum DataTables {
    /// CPUID feature bits by report name (`Data/tables/cpuid_features.tsv`).
    public static var cpuidFeatures: TSVTable { TSVTable(PackageResources.cpuid_features_tsv) }
    /// CPUID 0x40000000 signatures (`Data/tables/hypervisor_signatures.tsv`).
    public static var hypervisorSignatures: TSVTable { TSVTable(PackageResources.hypervisor_signatures_tsv) }
    /// The rule catalogue, YAML (`Data/rules/catalogue.yaml`).
    public static var ruleCatalogueYAML: String { String(decoding: PackageResources.catalogue_yaml, as: UTF8.self) }
    /// The hypervisor profiles, YAML (`Data/rules/profiles.yaml`).
    public static var profilesYAML: String { String(decoding: PackageResources.profiles_yaml, as: UTF8.self) }
    /// Documented virtualization facts of CPU models (`Data/rules/cpu_models.tsv`).
    public static var cpuModels: TSVTable { TSVTable(PackageResources.cpu_models_tsv) }
}
