import Foundation
import HostModel

/// Loads `--vectors PATH`: one vector file, or every `*.vectors` file of a folder (sorted by
/// name, not recursive). Anything unusable is an `InputError` naming the path (and line).
public enum VectorFiles {
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
        var vectors: [ConformanceVector] = []
        for name in names {
            vectors += try loadFile((path as NSString).appendingPathComponent(name))
        }
        return vectors
    }

    static func loadFile(_ path: String) throws(InputError) -> [ConformanceVector] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path: path, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(path: path, message: "not UTF-8 text") }
        let vectors = try VectorParser.parse(text, file: path)
        guard !vectors.isEmpty else { throw InputError(path: path, message: "no vectors in this file") }
        return vectors
    }
}
