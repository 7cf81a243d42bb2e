import Foundation
import Testing

/// `virtcheck verify` end to end: the built-in suite passes, a wrong vector is a mismatch
/// (exit 1), and an unusable vector file is one line on stderr (exit 2).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct VerifyCommandTests {
    static func vectorFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-\(UUID().uuidString).vectors")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func builtInSuitePasses() throws {
        let r = try VirtCheckBinary.run(["verify"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("vectors passed"))
        let document = try #require(try VirtCheckBinary.run(["verify", "--format", "json"]).json)
        #expect(document["schema_version"] as? Int == 1)
        let json = try #require(document["verification"] as? [String: Any])
        #expect((json["vectors"] as? Int ?? 0) >= 250)
        #expect(json["failed"] as? Int == 0)
    }

    @Test func aVectorThatContradictsTheSDMIsReported() throws {
        // SDM Vol.3C 31.3: VMXOFF at CPL3 in VMX root operation is #GP(0); claiming VMsucceed must fail.
        let path = try Self.vectorFile("@ deliberately wrong\nwrong.vmxoff.cpl3 | root cpl=3 | VMXOFF | VMsucceed\n")
        let r = try VirtCheckBinary.run(["verify", "--vectors", path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("wrong.vmxoff.cpl3"))
    }

    @Test func malformedVectorsAreUnusableInput() throws {
        let path = try Self.vectorFile("this is | not a | vector\n")
        let r = try VirtCheckBinary.run(["verify", "--vectors", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
