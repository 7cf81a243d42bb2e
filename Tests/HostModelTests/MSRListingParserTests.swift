import Foundation
import HostModel
import Testing

@Suite struct MSRListingParserTests {
    @Test func parsesValuesStatusesCommentsAndCPUs() throws {
        let text = "# VMX MSRs\n0x480 0xda0400000000010\n0x48b denied # not root\ncpu 1\n0x480 absent\n"
        let evidence = try MSRListingParser.parse(text, source: "t")
        #expect(evidence.cpus.map(\.cpu) == [0, 1])
        #expect(evidence.cpus[0].value(0x480) == 0xda0400000000010)
        #expect(evidence.cpus[0].read(0x48b)?.status == .denied)
        #expect(evidence.cpus[1].read(0x480)?.status == .absent)
    }

    @Test func anIndexListedTwiceForOneCPUIsAnError() {
        #expect(throws: InputError.self) { try MSRListingParser.parse("0x480 0x1\n0x10 0x2\n0x480 0x3\n", source: "t") }
    }

    /// A listing near the 32 MiB input cap parses in linear time. The duplicate check used to scan
    /// every earlier line: 200,000 lines took minutes (a million, hours).
    @Test(.timeLimit(.minutes(1))) func largeListingParsesInLinearTime() throws {
        let lines = (0..<200_000).map { "0x\(String($0, radix: 16)) 0x\(String($0 &* 2_654_435_761, radix: 16))" }
        let start = Date()
        let evidence = try MSRListingParser.parse(lines.joined(separator: "\n"), source: "t")
        #expect(evidence.cpus.first?.reads.count == 200_000)
        #expect(Date().timeIntervalSince(start) < 20)
    }
}

/// Captures saved with CRLF line ends parse as their LF originals (Swift's "\r\n" is one Character,
/// so splitting at "\n" used to leave a CRLF file as one line).
@Suite struct CRLFInputTests {
    static func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }

    @Test func msrListing() throws {
        let text = "0x480 0xda0400000000010\ncpu 1\n0x480 denied\n"
        #expect(MSRListingParser.looksLikeListing(Self.crlf(text)[...]))
        #expect(try MSRListingParser.parse(Self.crlf(text), source: "t") == MSRListingParser.parse(text, source: "t"))
    }

    @Test func cpuidDump() throws {
        let text = "CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\nCPU 1:\n   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
        #expect(CPUIDDumpParser.looksLikeDump(Self.crlf(text)[...]))
        #expect(try CPUIDDumpParser.parse(Self.crlf(text), source: "t") == CPUIDDumpParser.parse(text, source: "t"))
    }

    @Test func cpuinfoAndLSCPU() throws {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        #expect(try CPUInfo.parse(Self.crlf(cpuinfo), source: "t") == CPUInfo.parse(cpuinfo, source: "t"))
        let lscpu = "Architecture:  x86_64\nVendor ID:     GenuineIntel\nVirtualization: VT-x\n"
        #expect(LSCPU.looksLikeLSCPU(Self.crlf(lscpu)[...]))
        #expect(try LSCPU.parse(Self.crlf(lscpu), source: "t") == LSCPU.parse(lscpu, source: "t"))
    }
}
