import FoundationEssentials
import Glibc
import HostModel

/// Loads `--vectors PATH`: one vector file, or every `*.vectors` file of a folder (sorted by
/// name, not recursive). Anything unusable is an `InputError` naming the path (and line).
public enum VectorFiles {
    /// The largest vector file read: the built-in files are a few KiB each.
    public static let maxFileSize = 4 << 20
    /// `*.vectors` files one folder may hold (the built-in suite is 21).
    public static let maxFiles = 256
    /// Entries a vector folder may hold before its `*.vectors` files are picked out.
    public static let maxEntries = 4096
    /// Vectors one run may check (one file or a folder): the built-in suite has 931, and each
    /// vector runs the model. 256 files of 4 MiB, about ten million vectors, ran for an hour.
    public static let maxVectors = 16_384

    public static func load(_ path: String) throws(InputError) -> [ConformanceVector] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw InputError(path: path, message: "no such file or directory")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { return try loadFile(path) }
        let names = try InputFile.names(inDirectory: path, limit: maxEntries, holding: "a vector folder has a few dozen")
            .filter { $0.hasSuffix(".vectors") }.sorted()
        guard !names.isEmpty else { throw InputError(path: path, message: "no *.vectors files in this folder") }
        guard names.count <= maxFiles else {
            throw InputError(path: path, message: "\(names.count) *.vectors files; at most \(maxFiles) are read from one folder")
        }
        var vectors: [ConformanceVector] = []
        for name in names {
            let file = path.hasSuffix("/") ? path + name : path + "/" + name
            vectors += try loadFile(file)
            guard vectors.count <= maxVectors else {
                throw InputError(path: file, message: "more than \(maxVectors) vectors in the folder; the built-in suite has about a thousand")
            }
        }
        return vectors
    }

    static func loadFile(_ path: String) throws(InputError) -> [ConformanceVector] {
        let text = try InputFile.readText(path, limit: maxFileSize)
        let vectors = try VectorParser.parse(text, file: path)
        guard !vectors.isEmpty else { throw InputError(path: path, message: "no vectors in this file") }
        guard vectors.count <= maxVectors else {
            throw InputError(path: path, message: "\(vectors.count) vectors; at most \(maxVectors) are checked in one run (the built-in suite has about a thousand)")
        }
        return vectors
    }
}
