import Foundation

/// What a finished program printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Killed after the time limit: the run hung.
    public var timedOut = false

    /// stdout as a JSON object, nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
    }
}

/// The one way the test targets run a program (`VirtCheckBinary` for virtcheck itself, `Tool`
/// for the consumers of its outputs): pipes drained concurrently so a large output cannot
/// deadlock the child, and a deadline after which the child is killed (SIGKILL) and `timedOut`
/// set, so a hang fails its test instead of stalling the suite.
public enum Subprocess {
    public static func run(_ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil,
                           currentDirectory: URL? = nil, timeout: Double = 300) throws -> ProcessResult {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let currentDirectory { p.currentDirectoryURL = currentDirectory }
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        let pid = p.processIdentifier
        nonisolated(unsafe) var killed = false
        let killer = DispatchWorkItem {
            killed = true
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
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
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self), timedOut: killed)
    }

    /// A file of the repository (Data/, Tests/ fixtures) by its path relative to the package root.
    public static func repoPath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized.path
    }

    /// The `virtcheck` product beside the running test bundle (.build/<config>/virtcheck).
    public static let virtcheck: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("virtcheck")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = repoPath(".build/debug/virtcheck")
        return FileManager.default.isExecutableFile(atPath: fallback) ? URL(fileURLWithPath: fallback) : nil
    }()
}
