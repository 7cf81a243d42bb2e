import Foundation

/// Runs programs for the tests: the built `virtcheck` and the real consumers of its outputs (a
/// JSON Schema validator, a JUnit reader, promtool, node_exporter, a headless browser), from the
/// repository root. A consumer that is missing disables its test with the install command.
public enum Tool {
    public typealias Result = ProcessResult

    /// The `virtcheck` product beside this test bundle (.build/<config>/virtcheck).
    public static let virtcheck: String? = Subprocess.virtcheck?.path

    /// Debian's interpreter, where apt installs python3-jsonschema and python3-junitparser.
    public static let python = find("/usr/bin/python3")
    public static let chromium = find("chromium-headless-shell") ?? find("chromium")
    public static let promtool = find("promtool")
    public static let nodeExporter = find("prometheus-node-exporter")

    public static func find(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    public static func pythonHas(_ module: String) -> Bool {
        guard let python, let r = try? run(python, ["-c", "import \(module)"]) else { return false }
        return r.status == 0
    }

    @discardableResult
    public static func run(_ path: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> Result {
        try Subprocess.run(URL(fileURLWithPath: path), arguments, stdin: stdin, environment: environment,
                           currentDirectory: URL(fileURLWithPath: repoPath(".")))
    }

    public static func virtcheck(_ arguments: [String]) throws -> Result {
        guard let virtcheck else { throw CocoaError(.fileNoSuchFile) }
        return try run(virtcheck, arguments)
    }

    public static func repoPath(_ relative: String) -> String { Subprocess.repoPath(relative) }

    public static func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
