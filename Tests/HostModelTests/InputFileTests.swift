import Foundation
import HostModel
import Testing

/// `InputFile.readText` on real files: text of any size up to the limit reads back byte for
/// byte, across its 64 KiB reads; a NUL anywhere (memchr since issue 16) is binary, refused.
@Suite struct InputFileTests {
    /// A file holding `bytes` in a directory of its own, removed after `body`.
    func withFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inputfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("input").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return try body(path)
    }

    @Test(arguments: [1, 65_535, 65_536, 65_537, 200_001])
    func textReadsBackWhole(_ size: Int) throws {
        let bytes = (0..<size).map { i in i % 61 == 60 ? UInt8(ascii: "\n") : UInt8(ascii: "a") + UInt8(i % 26) }
        let text = try withFile(bytes) { try InputFile.readText($0, limit: 1 << 20) }
        #expect(Array(text.utf8) == bytes)
    }

    @Test(arguments: [0, 70_000, 139_999])
    func aNULAnywhereIsBinary(_ at: Int) throws {
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 140_000)
        bytes[at] = 0
        try withFile(bytes) { path in
            #expect(throws: InputError.self) { try InputFile.readText(path, limit: 1 << 20) }
            do {
                _ = try InputFile.readText(path, limit: 1 << 20)
            } catch let error as InputError {
                #expect(error.description == "\(path): binary data (NUL bytes): not a text file")
            } catch {
                Issue.record(error)
            }
        }
    }
}
