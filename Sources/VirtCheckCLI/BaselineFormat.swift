import ArgumentParser

/// Formats of `baseline --format`: the report (`text`, `json`) or the CPU model alone
/// (`qemu`: a `-cpu` value; `cpuid`: masks in `cpuid -r` syntax).
enum BaselineFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, qemu, cpuid
}
