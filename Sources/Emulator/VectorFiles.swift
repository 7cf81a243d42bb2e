import Foundation
import HostModel

/// Loads `--vectors PATH`: one vector file, or every `*.vectors` file of a folder (sorted by
/// name, not recursive). Anything unusable is an `InputError` naming the path (and line).
public enum VectorFiles {
    /// The largest vector file read: the built-in files are a few KiB each.
    public static let maxFileSize = 4 << 20
    /// `*.vectors` files one folder may hold (the built-in suite is 21).
    public static let maxFiles = 256

    public static func load(_ path: String) throws(InputError) -> [ConformanceVector] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(path: path, message: "no such file or directory")
        }
        guard isDirectory.boolValue else { return try loadFile(path) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".vectors") }.sorted()
        } catch {
            throw InputError(path: path, message: "cannot list the folder")
        }
        guard !names.isEmpty else { throw InputError(path: path, message: "no *.vectors files in this folder") }
        guard names.count <= maxFiles else {
            throw InputError(path: path, message: "\(names.count) *.vectors files; at most \(maxFiles) are read from one folder")
        }
        var vectors: [ConformanceVector] = []
        for name in names {
            vectors += try loadFile((path as NSString).appendingPathComponent(name))
        }
        return vectors
    }

    static func loadFile(_ path: String) throws(InputError) -> [ConformanceVector] {
        let text = try InputFile.readText(path, limit: maxFileSize)
        let vectors = try VectorParser.parse(text, file: path)
        guard !vectors.isEmpty else { throw InputError(path: path, message: "no vectors in this file") }
        return vectors
    }
}
