import FoundationEssentials
import Glibc

/// One-line progress notes on stderr, only when stderr is a terminal: pipes and CI logs stay clean.
enum Progress {
    static let enabled = isatty(STDERR_FILENO) == 1

    static func note(_ text: String) {
        guard enabled else { return }
        Emit.diagnostic("\u{1B}[2m\(text)\u{1B}[0m\r")
    }

    static func clear() {
        guard enabled else { return }
        Emit.diagnostic("\u{1B}[2K\r")
    }
}
