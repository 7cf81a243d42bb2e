import HostModel
import VirtCheckData

/// The conformance suite compiled into the binary from Data/spec.
public enum BuiltInVectors {
    /// Every built-in vector. The tests parse the same files, so an error here means a defect in
    /// the build, reported like any unusable vector input.
    public static func load() throws(InputError) -> [ConformanceVector] {
        var vectors: [ConformanceVector] = []
        for file in SpecVectors.files {
            vectors += try VectorParser.parse(file.text, file: "Data/spec/" + file.name)
        }
        return vectors
    }
}
