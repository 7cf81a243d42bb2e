import Emulator
import Foundation
import HostModel
import Testing

/// `--vectors PATH`: a file, or a folder of *.vectors files; anything else is an InputError.
@Suite struct VectorFilesTests {
    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "virtcheck-vectors-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func loadsAFileAndEveryVectorsFileOfAFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "@ c\na | outside | VMXON addr=0x1000 | VMsucceed\n".write(toFile: folder + "/b.vectors", atomically: true, encoding: .utf8)
        try "@ c\nb | root | VMXOFF | VMsucceed\n".write(toFile: folder + "/a.vectors", atomically: true, encoding: .utf8)
        try "not vectors".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(try VectorFiles.load(folder).map(\.name) == ["b", "a"])
        #expect(try VectorFiles.load(folder + "/b.vectors").map(\.file) == [folder + "/b.vectors"])
    }

    @Test func rejectsMissingEmptyAndMalformedInput() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: InputError(path: folder, message: "no *.vectors files in this folder")) { try VectorFiles.load(folder) }
        #expect(throws: InputError(path: folder + "/x", message: "no such file or directory")) { try VectorFiles.load(folder + "/x") }
        try "# only a comment\n".write(toFile: folder + "/e.vectors", atomically: true, encoding: .utf8)
        #expect(throws: InputError(path: folder + "/e.vectors", message: "no vectors in this file")) { try VectorFiles.load(folder + "/e.vectors") }
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: folder + "/e.vectors"))
        #expect(throws: InputError(path: folder + "/e.vectors", message: "not UTF-8 text")) { try VectorFiles.load(folder + "/e.vectors") }
    }
}
