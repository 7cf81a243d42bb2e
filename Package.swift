// swift-tools-version:6.0
import PackageDescription

/// virtcheck: can this x86 Linux host run virtual machines, which kinds, and how well.
/// Module layout and contracts: README.md ("Architecture") and DESIGN.md.
let package = Package(
    name: "virtcheck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "virtcheck", targets: ["virtcheck"]),
        /// The libraries, for the fuzz targets (Fuzz/) and for embedding virtcheck's analysis.
        .library(name: "VirtCheckKit", targets: ["HostModel", "HostProbe", "Analysis", "Emulator", "Reporting"]),
        /// The commands, for the fuzz target that runs whole command lines (Fuzz/Sources/fuzz-command-line).
        .library(name: "VirtCheckCLI", targets: ["VirtCheckCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "CShims"),
        .target(name: "HostModel", dependencies: ["CShims"]),
        .target(
            name: "VirtCheckData",
            // The rule catalogue and profiles are compiled into Analysis by the RuleTables plugin.
            exclude: ["spec/README.md", "rules/catalogue.yaml", "rules/profiles.yaml"],
            resources: [
                .embedInCode("tables/cpuid_features.tsv"),
                .embedInCode("tables/guest_cpu_features.tsv"),
                .embedInCode("tables/hypervisor_signatures.tsv"),
                .embedInCode("tables/vmx_msr_bits.tsv"),
                .embedInCode("tables/kvm_capabilities.tsv"),
                .embedInCode("tables/popek_goldberg.tsv"),
                .embedInCode("rules/cpu_models.tsv"),
                .embedInCode("spec/vmxon.vectors"),
                .embedInCode("spec/vmxoff.vectors"),
                .embedInCode("spec/vmclear.vectors"),
                .embedInCode("spec/vmptrld.vectors"),
                .embedInCode("spec/vmptrst.vectors"),
                .embedInCode("spec/vmread.vectors"),
                .embedInCode("spec/vmwrite.vectors"),
                .embedInCode("spec/vmlaunch.vectors"),
                .embedInCode("spec/vmresume.vectors"),
                .embedInCode("spec/vmcall.vectors"),
                .embedInCode("spec/invept.vectors"),
                .embedInCode("spec/invvpid.vectors"),
                .embedInCode("spec/vmfunc.vectors"),
                .embedInCode("spec/vmrun.vectors"),
                .embedInCode("spec/vmload.vectors"),
                .embedInCode("spec/vmsave.vectors"),
                .embedInCode("spec/vmmcall.vectors"),
                .embedInCode("spec/stgi.vectors"),
                .embedInCode("spec/clgi.vectors"),
                .embedInCode("spec/skinit.vectors"),
                .embedInCode("spec/invlpga.vectors"),
            ]
        ),
        .target(name: "HostProbe", dependencies: ["HostModel", "Analysis", "CShims", "VirtCheckData"]),
        /// Policies are read by its own YAML reader and the rule tables are compiled at build time,
        /// so the binary links no Yams, no full Foundation and no ICU (issue 16).
        .target(
            name: "Analysis",
            dependencies: ["HostModel", "VirtCheckData"],
            plugins: ["RuleTables"]
        ),
        /// Turns Data/rules/catalogue.yaml and profiles.yaml into Swift source for Analysis.
        .executableTarget(name: "compile-rule-tables", dependencies: ["HostModel", .product(name: "Yams", package: "Yams")]),
        .plugin(name: "RuleTables", capability: .buildTool(), dependencies: ["compile-rule-tables"]),
        .target(name: "Emulator", dependencies: ["HostModel", "VirtCheckData"]),
        .target(name: "Reporting", dependencies: ["HostModel", "Analysis", "Emulator", "Validation", "CShims"]),
        .target(name: "Validation", dependencies: ["HostModel", "HostProbe", "Emulator"]),
        .target(
            name: "VirtCheckCLI",
            dependencies: [
                "HostModel", "HostProbe", "Analysis", "Emulator", "Reporting", "Validation", "CShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "virtcheck", dependencies: ["VirtCheckCLI"]),
        .testTarget(name: "HostModelTests", dependencies: ["HostModel"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "HostModel", "VirtCheckData", .product(name: "Yams", package: "Yams")], exclude: ["Fixtures"]),
        .testTarget(name: "HostProbeTests", dependencies: ["HostProbe", "HostModel", "Analysis", "Reporting", "VirtCheckData"], exclude: ["Fixtures"]),
        /// Runs the built binary and the real consumers of its outputs, for every test target.
        .target(name: "VirtCheckTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CLITests", dependencies: ["virtcheck", "VirtCheckTestSupport"], exclude: ["Fixtures"]),
        /// The commands in process: what is read without ArgumentParser against ArgumentParser.
        .testTarget(name: "VirtCheckCLITests", dependencies: ["VirtCheckCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "HostModel", "Analysis", "HostProbe", "virtcheck", "VirtCheckTestSupport"]),
        .testTarget(name: "DeployTests"),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "HostModel", "VirtCheckData"]),
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "Emulator", "HostModel", "HostProbe", "virtcheck", "VirtCheckTestSupport"]),
        .executableTarget(name: "virtcheck-bench", dependencies: ["Emulator"]),
    ],
    swiftLanguageModes: [.v6]
)
