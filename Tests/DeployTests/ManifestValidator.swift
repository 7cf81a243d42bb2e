import Foundation
import Testing

/// Runs deploy/kubernetes/validate.sh on manifests, as scripts/test and a user would.
enum ManifestValidator {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../deploy/kubernetes").standardized
    static let script = directory.appendingPathComponent("validate.sh").path
    static let daemonSet = directory.appendingPathComponent("virtcheck-daemonset.yaml").path

    static var present: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/kubernetes-validate")
        }
    }

    static func run(_ files: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script] + files
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A copy of the DaemonSet with one text replacement, in a temporary file.
    static func mutated(_ from: String, _ to: String) throws -> String {
        let text = try String(contentsOfFile: daemonSet, encoding: .utf8)
        #expect(text.contains(from), "the mutation must change something")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-ds-\(getpid())-\(abs(from.hashValue)).yaml")
        try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
