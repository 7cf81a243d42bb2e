import Analysis
import ArgumentParser
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting

/// `virtcheck diff A B`: what a VM could use on host A that host B lacks, i.e. whether a VM
/// using A's full CPU model can be migrated to B.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What a VM could use on host A but not on host B (live-migration compatibility A → B).",
        discussion: """
        A and B are captured evidence of one host each, anything --from accepts: a snapshot JSON, \
        a `cpuid -r` dump, a /proc/cpuinfo copy, an MSR listing, lscpu output, an IOMMU group listing, \
        `lspci -vvv`/`-xxxx` output, dmesg text, or a directory of them. \
        Compared: the CPUID features hypervisors pass to guests (SSE…AVX-512, AMX, crypto, PKU, LA57, …), \
        VT-x/AMD-V capabilities a nested hypervisor uses, TSC scaling, address widths, SEV/TDX, vendor.

        Exit codes: 0 B offers everything A does; 1 B lacks something; 2 unusable input; \
        3 B lacks nothing known but its evidence is silent on something A offers; 64 usage error.

        Example:
          virtcheck diff spr-host.cpuid clx-host.cpuid
        """)

    @Argument(help: ArgumentHelp("Host A, where the VM runs now.", valueName: "A"))
    var from: String

    @Argument(help: ArgumentHelp("Host B, where it would move.", valueName: "B"))
    var to: String

    @Option(help: "Output format.")
    var format: DiffFormat = .text

    @Option(help: ArgumentHelp("Write the result to this file (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let a: HostCapabilities
        let b: HostCapabilities
        do {
            a = try FleetInput.host(from)
            b = try FleetInput.host(to)
        } catch {
            throw CLIError.input(error.description).exit()
        }
        let diff = MigrationDiff(from: a, to: b)
        let text = switch format {
        case .text: DiffRenderer.text(diff)
        case .json: try DiffRenderer.json(diff)
        }
        try Emit.write(text, to: output)
        let code: Int32 = switch diff.verdict {
        case .compatible: 0
        case .incompatible: 1
        case .unknown: 3
        }
        throw ExitCode(code)
    }
}
