import Foundation

/// Runs the built `virtcheck` executable, as a user or CI would, and captures what it prints.
/// The exit code is part of the contract, so tests assert on it.
public enum VirtCheckBinary {
    public typealias Result = ProcessResult

    /// The product beside this test bundle (.build/<config>/virtcheck).
    public static let url: URL? = Subprocess.virtcheck

    /// Runs the binary (under `prefix`, e.g. `strace -f`, when given); after `timeout` seconds it
    /// is killed and `timedOut` is set.
    public static func run(_ arguments: [String], prefix: [String] = [], timeout: Double = 300) throws -> Result {
        guard let url else { throw CocoaError(.fileNoSuchFile) }
        if prefix.isEmpty { return try Subprocess.run(url, arguments, timeout: timeout) }
        return try Subprocess.run(URL(fileURLWithPath: prefix[0]), Array(prefix.dropFirst()) + [url.path] + arguments, timeout: timeout)
    }

    /// Fixtures shipped in the repository (Data/, Tests/) by path relative to the package root.
    public static func repoPath(_ relative: String) -> String { Subprocess.repoPath(relative) }
}
