import Foundation

/// Runs programs for the tests: the built `virtcheck` (as a user or CI would) and the real
/// consumers of its reports (a JSON Schema validator, a JUnit reader, promtool, node_exporter,
/// a headless browser). A consumer that is missing disables its test with the install command.
struct Tool {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `virtcheck` product beside this test bundle (.build/<config>/virtcheck).
    static let virtcheck: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("virtcheck")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = repoPath(".build/debug/virtcheck")
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }()

    /// Debian's interpreter, where apt installs python3-jsonschema and python3-junitparser.
    static let python = find("/usr/bin/python3")
    static let chromium = find("chromium-headless-shell") ?? find("chromium")
    static let promtool = find("promtool")
    static let nodeExporter = find("prometheus-node-exporter")

    static func find(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static func pythonHas(_ module: String) -> Bool {
        guard let python, let r = try? run(python, ["-c", "import \(module)"]) else { return false }
        return r.status == 0
    }

    @discardableResult
    static func run(_ path: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: repoPath("."))
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // Drain both pipes concurrently so a large output cannot deadlock the child.
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
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func virtcheck(_ arguments: [String]) throws -> Result {
        guard let virtcheck else { throw CocoaError(.fileNoSuchFile) }
        return try run(virtcheck, arguments)
    }

    static func repoPath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized.path
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
