import ArgumentParser
import Foundation
import HostModel
import HostProbe

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

    func run() throws {
        let snapshot: Snapshot
        do {
            snapshot = try input.snapshot()
        } catch let error as CLIError {
            throw error.exit()
        }
        Progress.clear()
        let text = try SnapshotCoding.encode(snapshot) + "\n"
        // A snapshot is for `check --from`: one it would refuse (the input's text is kept
        // verbatim and escaped, so a 31 MB paste of tab-filled lines became 62 MB) is not written.
        guard text.utf8.count <= OfflineLoader.maxFileSize else {
            throw CLIError.input("the snapshot would be \(text.utf8.count) bytes, more than the \(InputFile.describe(bytes: OfflineLoader.maxFileSize)) `check --from` reads; give the files to `check --from` directly").exit()
        }
        try Emit.write(text, to: output)
    }
}
