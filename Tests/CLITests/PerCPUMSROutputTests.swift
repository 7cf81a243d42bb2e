import Foundation
import Testing
import VirtCheckTestSupport

/// A CPU that differs in its MSRs is named in every format that carries text (text, JSON, HTML,
/// JUnit), and the rule's fail reaches the status formats (Prometheus, NFD) as in the JSON: the
/// built binary run on an MSR listing with four CPUs, CPU 3 with VT-x off (Tests/AnalysisTests/
/// Fixtures/msr-per-cpu, an edited copy of a real CPU's MSRs).
struct PerCPUMSROutputTests {
    static let cpuid = VirtCheckBinary.repoPath("Tests/AnalysisTests/Fixtures/msr-per-cpu/kx6000-cpuid.txt")
    static let msr = VirtCheckBinary.repoPath("Tests/AnalysisTests/Fixtures/msr-per-cpu/kx6000-cpu3-vmx-off.txt")

    @Test(arguments: ["text", "json", "html", "junit"])
    func theOddCPUIsNamed(format: String) throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.cpuid, "--from", Self.msr, "--format", format])
        #expect([1, 3].contains(r.status), "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("disabled on CPU 3 (IA32_FEATURE_CONTROL locked without VMX outside SMX)"), "\(format) does not name CPU 3")
        // The text report gives summaries only; the others carry the evidence too.
        if format != "text" {
            #expect(r.stdout.contains("0x0000000000000001 on CPU 3"), "\(format) lacks the per-CPU values")
        }
    }

    @Test func theStatusFormatsCarryTheFail() throws {
        let json = try VirtCheckBinary.run(["check", "--from", Self.cpuid, "--from", Self.msr, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.first { $0["id"] as? String == "cpu.vmx.enabled-by-firmware" }?["status"] as? String == "fail")
        let prometheus = try VirtCheckBinary.run(["check", "--from", Self.cpuid, "--from", Self.msr, "--format", "prometheus"])
        #expect(prometheus.stdout.split(separator: "\n").contains { $0.contains("cpu.vmx.enabled-by-firmware") && $0.contains("status=\"fail\"") && $0.hasSuffix(" 1") })
    }
}
