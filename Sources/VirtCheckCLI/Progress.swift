import Foundation

/// One-line progress notes on stderr, only when stderr is a terminal: pipes and CI logs stay clean.
enum Progress {
    static let enabled = isatty(STDERR_FILENO) == 1

    static func note(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\u{1B}[2m\(text)\u{1B}[0m\r".utf8))
    }

    static func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8))
    }
}
