import HostModel
import Testing

/// The catalogue's `evidence:` strings: typed on load, and anything outside the kinds (or a path
/// outside /proc and /sys, or a device outside /dev) refused, so a rule cannot declare a read
/// the probe would not make through its root seam.
struct EvidenceNeedTests {
    @Test func kindsParse() throws {
        #expect(try EvidenceNeed(parsing: "msr 0x1401") == .msr(0x1401))
        #expect(try EvidenceNeed(parsing: "cpuid 0x8000000a") == .cpuid(leaf: 0x8000_000A))
        #expect(try EvidenceNeed(parsing: "cpuinfo-flag npt") == .cpuinfoFlag("npt"))
        #expect(try EvidenceNeed(parsing: "device /dev/net/tun") == .device("/dev/net/tun"))
        #expect(try EvidenceNeed(parsing: "path /sys/kernel/mm/ksm/run") == .path("/sys/kernel/mm/ksm/run"))
        #expect(try EvidenceNeed.list(parsing: "msr 0x480-0x492").count == 19)
        #expect(EvidenceNeed.msr(0x3A).description == "msr 0x0000003a")
    }

    @Test(arguments: ["msr 1401", "path /etc/shadow", "device /proc/cpuinfo", "register 0x10", "cpuid", "msr 0x492-0x480"])
    func outsideTheKindsIsRefused(text: String) {
        #expect(throws: EvidenceNeed.ParseError.self) { try EvidenceNeed.list(parsing: text) }
    }
}
