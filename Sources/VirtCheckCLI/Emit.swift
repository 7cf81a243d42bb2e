import ArgumentParser
import Foundation
import Reporting

/// Writes a finished result to stdout or, atomically, to `--output`: nothing is written
/// before the whole result exists, so exit 2 never leaves half a report behind.
enum Emit {
    static func write(_ text: String, to output: String?) throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try OutputFile.write(text, to: output)
        } catch {
            throw CLIError.input(error.description).exit()
        }
    }
}
