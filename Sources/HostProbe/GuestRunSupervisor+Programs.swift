import Foundation
import HostModel

extension GuestRunSupervisor {
    /// Why a program run gave no outcomes.
    public struct ProgramRunError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Runs the child (arguments carry `--program` specs) and decodes its outcomes.
    public func runPrograms() -> Result<[GuestProgramOutcome], ProgramRunError> {
        let outcome: ChildOutcome
        do throws(KVMError) { outcome = try spawnAndWait() } catch {
            return .failure(ProgramRunError(description: error.description))
        }
        if outcome.killed != nil { return .failure(ProgramRunError(description: "program run child killed (time limit or output)")) }
        guard outcome.status == 0,
              let outcomes = try? SnapshotCoding.decode([GuestProgramOutcome].self, from: outcome.stdout) else {
            let stderr = String(decoding: outcome.stderr.suffix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(ProgramRunError(description: "program run child \(outcome.statusText) without outcomes: \(stderr)"))
        }
        return .success(outcomes)
    }
}
