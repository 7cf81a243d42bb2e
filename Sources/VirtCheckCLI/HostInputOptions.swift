import ArgumentParser

/// Where the evidence comes from: this host (default), a captured tree (`--root`), or
/// captured files of one host (`--from`, repeatable). Shared by `check` and `capture`; the
/// collecting is `HostInput`'s.
struct HostInputOptions: ParsableArguments {
    @Option(name: .customLong("from"), help: ArgumentHelp(
        "Analyse captured evidence of one host instead of this one: a snapshot JSON, a `cpuid -r` dump, a /proc/cpuinfo copy, an MSR listing, lscpu output, an IOMMU group listing, `lspci -vvv` or `lspci -xxxx` output, dmesg or journalctl -k text, or a directory of them. Repeatable.",
        valueName: "path"))
    var from: [String] = []

    @Option(help: ArgumentHelp("Read /proc, /sys and /dev under this captured tree instead of the live system.", valueName: "dir"))
    var root: String?

    @Flag(help: "Do not run the test guest (the verdict then cannot prove acceleration).")
    var noGuest = false

    @Flag(help: "Load the msr kernel module (modprobe msr) so the VMX capability MSRs can be read. Off by default: virtcheck never loads modules unless asked.")
    var loadMsrDriver = false

    /// The same, as plain values.
    var value: HostInput {
        HostInput(from: from, root: root, noGuest: noGuest, loadMsrDriver: loadMsrDriver)
    }

    func validate() throws {
        if let conflict = value.conflict { throw ValidationError(conflict) }
    }
}
