import FoundationEssentials
import Glibc
import HostModel

extension GuestRunSupervisor {
    /// Why a program run gave no outcomes.
    public struct ProgramRunError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Runs the child (arguments carry `--program` specs) and decodes its outcomes.
    public func runPrograms() -> Result<[GuestProgramOutcome], ProgramRunError> { runDecoding([GuestProgramOutcome].self) }

    /// Runs the child (`--svm-vectors`) and decodes its case reports.
    public func runSVMCases() -> Result<[SVMCaseReport], ProgramRunError> { runDecoding([SVMCaseReport].self) }

    /// Runs the child (`--vmx-vectors`) and decodes its case reports.
    public func runVMXCases() -> Result<[VMXCaseReport], ProgramRunError> { runDecoding([VMXCaseReport].self) }

    /// Runs the child and decodes what it printed as `T`; a kill, a non-zero status or output
    /// that is not `T` is the failure, with the child's last words.
    func runDecoding<T: Decodable>(_ type: T.Type) -> Result<T, ProgramRunError> {
        let outcome: ChildOutcome
        do throws(KVMError) { outcome = try spawnAndWait() } catch {
            return .failure(ProgramRunError(description: error.description))
        }
        if outcome.killed != nil { return .failure(ProgramRunError(description: "program run child killed (time limit or output)")) }
        guard outcome.finished,
              let outcomes = try? SnapshotCoding.decode(T.self, from: outcome.stdout) else {
            let stderr = String(decoding: outcome.stderr.suffix(300), as: UTF8.self).trimmed()
            return .failure(ProgramRunError(description: "program run child \(outcome.statusText) without outcomes: \(stderr)"))
        }
        return .success(outcomes)
    }
}
