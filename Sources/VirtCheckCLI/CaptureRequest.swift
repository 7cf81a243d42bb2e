import FoundationEssentials
import Glibc
import HostModel
import HostProbe

/// `virtcheck capture`'s work, from plain values (see `CheckRequest`).
struct CaptureRequest: Equatable, Sendable {
    var input = HostInput()
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
