import Analysis
import ArgumentParser

/// `virtcheck check`: probe (or read captures), decide, report, and exit with the contract code.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Can this host (or a captured one) run VMs? Prints the verdict and the evidence.",
        discussion: """
        Exit codes: 0 every required check passed; 1 a required check failed; 2 unusable input;
        3 a required check lacks evidence (e.g. not root, offline input, virtcheck's own ulimits);
        64 usage error. A result that cannot be written is 2; SIGTERM/SIGINT/SIGHUP end with
        128+signo, and a reader that went away (`| head`) with 141 (docs/reliability.md).
        Required checks are those of the --profile(s) given and of the --policy file (default
        vm-host). `virtcheck explain --list` lists rules and profiles.

        Examples:
          virtcheck check                         # this host, guest run included
          virtcheck check --format json --output report.json
          virtcheck check --format html --output report.html
          virtcheck check --format junit --output virtcheck.xml            # CI test results (only required checks fail)
          virtcheck check --format prometheus --output /var/lib/node_exporter/textfile/virtcheck.prom
          virtcheck check --format nfd --output /etc/kubernetes/node-feature-discovery/features.d/virtcheck
          virtcheck check --from cpuid-dump.txt   # a `cpuid -r` dump of another machine
          virtcheck check --from capture.json --profile kvm --profile nested
          virtcheck check --policy ci-policy.yaml --strict
        """)

    @OptionGroup var input: HostInputOptions

    @Option(name: .customLong("profile"), help: ArgumentHelp("A profile the host must satisfy (repeatable; default vm-host).", valueName: "id"))
    var profiles: [String] = []

    @Option(help: ArgumentHelp("A policy (YAML or JSON): profiles to require, per-rule overrides (fail, warn, ignore), strict.", valueName: "file"))
    var policy: String?

    @Flag(help: "Treat a required check that lacks evidence as failed (exit 1 instead of 3).")
    var strict = false

    @Option(help: "Report format.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(help: "Print only what is not a pass (failures always print).")
    var quiet = false

    /// What was asked, as the plain values `CommonCommandLine` also reads.
    var request: CheckRequest {
        CheckRequest(input: input.value, profiles: profiles, policy: policy, strict: strict, format: format, output: output, quiet: quiet)
    }

    func validate() throws {
        if let unknown = request.unknownProfiles.first {
            throw ValidationError("unknown profile '\(unknown)'; known: \(ProfileEvaluator.profiles.map(\.id).joined(separator: ", "))")
        }
    }

    func run() throws {
        throw ExitCode(try request.run().exitCode)
    }
}
