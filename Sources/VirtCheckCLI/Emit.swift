import ArgumentParser
import FoundationEssentials
import Glibc
import Reporting

/// Writes a finished result to stdout or, atomically, to `--output`: nothing is written
/// before the whole result exists, so exit 2 never leaves half a report behind. A write that
/// fails is an answer too (DESIGN.md, docs/reliability.md): one line on stderr and exit 2 —
/// except a reader that went away (`virtcheck check | head -1`), which ends quietly with 141,
/// the status a shell shows for a process SIGPIPE stopped.
enum Emit {
    /// 128 + SIGPIPE: what `| head` makes of any Unix filter.
    static let readerGoneExitCode: Int32 = 128 + SIGPIPE

    static func write(_ text: String, to output: String?) throws {
        guard let output else {
            do {
                try OutputFile.writeAll(Array(text.utf8), to: STDOUT_FILENO, path: "stdout")
            } catch {
                if error.errno == EPIPE { throw ExitCode(readerGoneExitCode) }
                let why = error.errno == EBADF ? "stdout: cannot write: stdout is closed" : error.description
                throw CLIError.input(why).exit()
            }
            return
        }
        do {
            try OutputFile.write(text, to: output)
        } catch {
            throw CLIError.input(error.description).exit()
        }
    }

    /// A line for stderr. Unlike `FileHandle.standardError.write`, which traps when the write
    /// fails (a closed or full stderr), a message nobody can receive is dropped.
    static func diagnostic(_ text: String) {
        try? OutputFile.writeAll(Array(text.utf8), to: STDERR_FILENO, path: "stderr")
    }
}
