import ArgumentParser
import FoundationEssentials
import Glibc
import Reporting

/// Errors the CLI reports as one line on stderr with a contract exit code (DESIGN.md).
enum CLIError: Error {
    /// The user's input is unusable: exit 2, nothing on stdout.
    case input(String)

    func exit() -> ExitCode {
        switch self {
        case .input(let message):
            // Messages quote paths and input, which may hold newlines or escape sequences: one inert line.
            Emit.diagnostic("virtcheck: error: \(Sanitize.line(message, limit: 2000))\n")
            return ExitCode(2)
        }
    }
}
