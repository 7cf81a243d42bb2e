import ArgumentParser
import Foundation

/// Errors the CLI reports as one line on stderr with a contract exit code (DESIGN.md).
enum CLIError: Error {
    /// The user's input is unusable: exit 2, nothing on stdout.
    case input(String)

    func exit() -> ExitCode {
        switch self {
        case .input(let message):
            FileHandle.standardError.write(Data("virtcheck: error: \(message)\n".utf8))
            return ExitCode(2)
        }
    }
}
