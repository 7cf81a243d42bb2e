// swift-tools-version:6.0
import PackageDescription

/// virtcheck: can this x86 Linux host run virtual machines, which kinds, and how well.
/// Module layout and contracts: README.md ("Architecture") and DESIGN.md.
let package = Package(
    name: "virtcheck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "virtcheck", targets: ["virtcheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CShims"),
        .systemLibrary(name: "CPCI", pkgConfig: "libpci", providers: [.apt(["libpci-dev"])]),
        .target(name: "HostModel"),
        .target(
            name: "VirtCheckData",
            resources: [
                .embedInCode("tables/cpuid_features.tsv"),
                .embedInCode("tables/hypervisor_signatures.tsv"),
                .embedInCode("tables/kvm_capabilities.tsv"),
            ]
        ),
        .target(name: "HostProbe", dependencies: ["HostModel", "CShims", "CPCI", "VirtCheckData"]),
        .target(name: "Analysis", dependencies: ["HostModel", "VirtCheckData"]),
        .target(
            name: "VirtCheckCLI",
            dependencies: [
                "HostModel", "HostProbe", "Analysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "virtcheck", dependencies: ["VirtCheckCLI"]),
        .testTarget(name: "HostModelTests", dependencies: ["HostModel"]),
        .testTarget(name: "HostProbeTests", dependencies: ["HostProbe", "HostModel", "VirtCheckData"]),
    ],
    swiftLanguageModes: [.v6]
)
