import FoundationEssentials
import Glibc
import HostModel
import Analysis
import HostProbe

/// Where the evidence comes from, as plain values: what `HostInputOptions` parsed, or what
/// `CommonCommandLine` read without ArgumentParser. `check` and `capture` collect through it.
struct HostInput: Equatable, Sendable {
    var from: [String] = []
    var root: String?
    var noGuest = false
    var loadMsrDriver = false

    /// The rule `HostInputOptions.validate` enforces; nil when the combination is usable.
    var conflict: String? {
        !from.isEmpty && root != nil ? "--from and --root are two different hosts' evidence; give one" : nil
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
