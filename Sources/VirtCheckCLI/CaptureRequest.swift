import Foundation
import HostModel

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
        try Emit.write(text, to: output)
    }
}
