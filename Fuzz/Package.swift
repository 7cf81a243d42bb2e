// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for every parser of untrusted input. Built apart from the main package
/// because they need `-sanitize=fuzzer,address`: see scripts/fuzz.
let package = Package(
    name: "virtcheck-fuzz",
    dependencies: [.package(name: "virtcheck", path: "..")],
    targets: [
        .executableTarget(name: "fuzz-cpuid-dump", dependencies: [.product(name: "VirtCheckKit", package: "virtcheck")]),
    ]
)
