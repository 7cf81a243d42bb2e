import Analysis
import ArgumentParser
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting

/// `virtcheck baseline PATH...`: the common feature set of a pool of hosts, and what each host
/// lacks against the best. Hosts are folded one at a time, so memory does not grow with the
/// size of the captures, only by a few words per host.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The common feature set of a pool of hosts, each host's lacks, and a CPU model for the pool.",
        discussion: """
        Each PATH is one host: a file or a directory of that host's files (anything --from accepts). \
        For pools too large for a command line, --paths-from FILE reads one path per line ('-': stdin).

        Formats: text (default), json, qemu (a `-cpu` value for the pool), cpuid (the pool's \
        CPUID masks in `cpuid -r` syntax).

        Exit codes: 0 done; 2 unusable input (the first bad host is named; nothing is written); 64 usage error.

        Examples:
          virtcheck baseline hosts/*/
          find dumps -name '*.cpuid' | virtcheck baseline --paths-from - --format qemu
        """)

    @Argument(help: ArgumentHelp("One host's capture: a file, or a directory of one host's files.", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Read more host paths from this file, one per line ('-' for stdin).", valueName: "file"))
    var pathsFrom: String?

    @Option(help: "Output format.")
    var format: BaselineFormat = .text

    @Option(help: ArgumentHelp("Write the result to this file (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        if paths.isEmpty && pathsFrom == nil {
            throw ValidationError("give at least one host path (or --paths-from)")
        }
    }

    func run() throws {
        var pool = PoolBaseline()
        do {
            for path in paths { pool.add(try FleetInput.host(path)) }
            if let pathsFrom {
                try PathList.eachLine(of: pathsFrom) { path throws(InputError) in pool.add(try FleetInput.host(path)) }
            }
        } catch {
            throw CLIError.input(error.description).exit()
        }
        guard pool.count > 0 else { throw CLIError.input("\(pathsFrom ?? "--paths-from"): names no host").exit() }
        let result = pool.result(perHost: format == .text || format == .json)
        let text = switch format {
        case .text: BaselineRenderer.text(result)
        case .json: try BaselineRenderer.json(result)
        case .qemu: BaselineRenderer.qemu(result)
        case .cpuid: BaselineRenderer.cpuid(result)
        }
        try Emit.write(text, to: output)
    }
}
