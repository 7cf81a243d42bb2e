import Foundation

/// Runs the built `virtcheck` executable, as a user or CI would, and captures what it prints.
/// The exit code is part of the contract, so tests assert on it.
struct VirtCheckBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Killed after the time limit: the run hung.
        var timedOut = false

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// The product beside this test bundle (.build/<config>/virtcheck).
    static let url: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("virtcheck")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/virtcheck").standardized
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }()

    /// Runs the binary; after `timeout` seconds it is killed (SIGKILL) and `timedOut` is set, so a
    /// hang fails its test instead of stalling the suite.
    static func run(_ arguments: [String], prefix: [String] = [], timeout: Double = 300) throws -> Result {
        guard let url else { throw CocoaError(.fileNoSuchFile) }
        let p = Process()
        if prefix.isEmpty {
            p.executableURL = url
            p.arguments = arguments
        } else {
            p.executableURL = URL(fileURLWithPath: prefix[0])
            p.arguments = Array(prefix.dropFirst()) + [url.path] + arguments
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        nonisolated(unsafe) var killed = false
        let killer = DispatchWorkItem {
            killed = true
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // Drain both pipes concurrently so a large report cannot deadlock the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        killer.cancel()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), timedOut: killed)
    }

    /// Fixtures shipped in the repository (Data/, Tests/) by path relative to the package root.
    static func repoPath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized.path
    }
}
