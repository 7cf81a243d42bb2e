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

    /// Hostile vector values never crash: an MSRPM base near 2^64 is VMEXIT_INVALID (the old
    /// model trapped on the overflow, exit 132), an MSR-area count of 2^32 - 1 is bounded.
    @Test func hostileValuesAreJudgedNotCrashedOn() throws {
        let path = try Self.vectorFile("""
        @ APM 15.5.1: MSRPM whose last page lies beyond 2^64
        hostile.msrpm | svm vmcb@0x5000.msrpm=0xfffffffffffff000 | VMRUN rax=0x5000 | #VMEXIT(-1)
        @ SDM 27.2.1.3: an MSR-load area wrapping past 2^64
        hostile.area | current field:0x4014=0xffffffff field:0x200a=0xfffffffffffffff0 | VMLAUNCH | VMfailValid(7)
        @ SDM 28.4: a huge MSR-store count in a running guest
        hostile.store | guest field:0x400e=0xffffffff field:0x2006=0x9000 | VMCALL | vmx-abort(1)

        """)
        let r = try VirtCheckBinary.run(["verify", "--vectors", path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Out-of-range values and settings that cannot apply are one line on stderr and exit 2.
    @Test(arguments: ["outside cpl=7", "outside maxphyaddr=64", "root field:0x4000=1"])
    func impossibleSettingsAreUnusableInput(_ given: String) throws {
        let path = try Self.vectorFile("@ c\nv | \(given) | VMXON addr=0x1000 | #UD\n")
        let r = try VirtCheckBinary.run(["verify", "--vectors", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    /// Where KVM offers neither VMX nor SVM to guests (this project's kvm_pvm host), or there is
    /// no /dev/kvm, `--on-cpu` cannot run and says why: exit 3, one line on stderr, and (DESIGN.md:
    /// exit 3 still writes the report) the report saying it did not run and why, in either format.
    @Test func onCPUWithoutNestingExitsThreeWithTheReason() throws {
        let r = try VirtCheckBinary.run(["verify", "--on-cpu"])
        #expect(r.status == 3)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        if !FileManager.default.fileExists(atPath: "/dev/kvm") {
            #expect(r.stderr.contains("cannot be opened"))
        } else if FileManager.default.fileExists(atPath: "/sys/module/kvm_pvm") {
            #expect(r.stderr.contains("offers neither VMX nor SVM"))
        }
        let reason = r.stderr.replacingOccurrences(of: "virtcheck verify: --on-cpu: ", with: "").trimmingCharacters(in: .newlines)
        #expect(r.stdout == "VMX/SVM vectors as guest code through KVM: not run (unknown): \(reason)\n")
        let j = try VirtCheckBinary.run(["verify", "--on-cpu", "--format", "json"])
        #expect(j.status == 3)
        let document = try #require(j.json, "\(j.stdout)")
        let notRun = try #require(document["not_run"] as? [String: Any])
        #expect(notRun["mode"] as? String == "on_cpu" && notRun["reason"] as? String == reason)
        #expect(document["on_cpu"] is NSNull && document["verification"] is NSNull)
    }
}
