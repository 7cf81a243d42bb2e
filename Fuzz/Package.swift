// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for every parser of untrusted input. Built apart from the main package
/// because they need `-sanitize=fuzzer,address`: see scripts/fuzz. A new target is a directory
/// `Sources/fuzz-NAME/` with one file (copy any target: `LLVMFuzzerTestOneInput` plus the
/// `fuzz_NAME_main` entry), one line below, and seeds in `Corpus/fuzz-NAME/`.
let targets = [
    "fuzz-cpuid-dump", "fuzz-cpuinfo", "fuzz-msr-listing", "fuzz-lscpu", "fuzz-snapshot",
    "fuzz-dmar", "fuzz-ivrs", "fuzz-pci-config", "fuzz-iommu-registers", "fuzz-policy", "fuzz-vectors",
    "fuzz-root-tree", "fuzz-command-line", "fuzz-iommu-listing", "fuzz-lspci", "fuzz-kernel-log",
]

let package = Package(
    name: "virtcheck-fuzz",
    dependencies: [
        .package(name: "virtcheck", path: ".."),
        // fuzz-policy holds virtcheck's policy reader to libyaml, through Yams.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: [
            "FuzzSupport", .product(name: "VirtCheckKit", package: "virtcheck"),
            .product(name: "VirtCheckCLI", package: "virtcheck"),
        ] + (name == "fuzz-policy" ? [.product(name: "Yams", package: "Yams")] : []))
    }
)
