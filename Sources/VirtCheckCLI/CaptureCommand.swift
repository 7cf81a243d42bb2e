import ArgumentParser

/// `virtcheck capture`: the raw evidence of this host as snapshot JSON, for analysis elsewhere.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write this host's raw evidence as a snapshot JSON (analyse it anywhere with `check --from`).",
        discussion: """
        Examples:
          virtcheck capture --output host.json
          virtcheck check --from host.json --format json
        """)

    @OptionGroup var input: HostInputOptions

    @Option(help: ArgumentHelp("Write the snapshot to this file (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    /// What was asked, as the plain values `CommonCommandLine` also reads.
    var request: CaptureRequest {
        CaptureRequest(input: input.value, output: output)
    }

    func run() throws {
        try request.run()
    }
}
