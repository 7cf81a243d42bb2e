import ArgumentParser
import Foundation
import HostModel
import Analysis
import HostProbe

/// Where the evidence comes from: this host (default), a captured tree (`--root`), or
/// captured files of one host (`--from`, repeatable). Shared by `check` and `capture`.
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

    func validate() throws {
        if !from.isEmpty && root != nil {
            throw ValidationError("--from and --root are two different hosts' evidence; give one")
        }
    }

    /// Collects the snapshot; bad input becomes one line on stderr and exit 2.
    func snapshot() throws -> Snapshot {
        if !from.isEmpty {
            do {
                return try OfflineLoader.load(paths: from)
            } catch {
                throw CLIError.input(error.description)
            }
        }
        if let root {
            let tree = HostRoot(path: root, isLive: false)
            if let failure = tree.checkConfinement() {
                throw CLIError.input("\(root): --root needs an existing directory that can be read confined to itself: \(failure.detail)")
            }
            return LiveProbe.snapshot(root: tree, options: .init(runGuest: false, plan: RuleCatalogue.builtIn.evidencePlan))
        }
        if loadMsrDriver { ModuleLoader.loadMSRDriver() }
        Progress.note("probing this host (CPUID, MSRs, /sys, /dev/kvm\(noGuest ? "" : ", test guest"))…")
        return LiveProbe.snapshot(root: .live, options: .init(runGuest: !noGuest, plan: RuleCatalogue.builtIn.evidencePlan))
    }
}
