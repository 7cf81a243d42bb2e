import Foundation
@testable import HostModel
import Testing

@Suite struct CPUIDDumpParserTests {
    @Test func parsesHeadersSubleavesAndOldFormat() throws {
        let text = "Disclaimer: cpuid may not support decoding of all cpuid registers.\r\nCPU 0:\r\n   0x00000000 0x00: eax=0x0000001c ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\r\n\n   0x00000007 0x01: eax=0x00000020 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\nCPU 1:\n0x00000000: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
        let evidence = try CPUIDDumpParser.parse(text, source: "t")
        #expect(evidence.cpus.count == 2)
        #expect(evidence.cpus[0].leaf(7, subleaf: 1)?.eax == 0x20)
        #expect(evidence.cpus[0].leaf(0)?.eax == 0x1c, "the CRLF lines are lines, not part of the disclaimer")
        #expect(evidence.cpus[1].cpu == 1)
        #expect(evidence.cpus[1].leaf(0)?.eax == 0xd)
    }

    @Test(arguments: ["", "CPU 0:\n", "CPU 0:\n0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3\n", "hello\n",
                      "CPU x:\n", "CPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x1ffffffff\n",
                      "CPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\nCPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\n"])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: InputError.self) { try CPUIDDumpParser.parse(text, source: "bad") }
    }

    /// A whole dump with CRLF line ends reads as the same dump with LF.
    @Test func crlfDumpEqualsLFDump() throws {
        let lf = "CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n   0x00000001 0x00: eax=0x000806f8 ebx=0x00800800 ecx=0x7ffefbff edx=0xbfebfbff\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try CPUIDDumpParser.parse(crlf, source: "t").cpus == CPUIDDumpParser.parse(lf, source: "t").cpus)
    }

    /// The byte scanner takes only lines whose meaning is plain; every other line still goes
    /// through `parseLeafLine`, so both read these the same (accepted or refused alike).
    @Test(arguments: [
        "0x00000007 0x01: eax=0x00000020 ebx=0x0 ecx=0X1 edx=ff",
        "  0x7: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4  \r",
        "0x7 0x1 : eax=1 ebx=2 ecx=3 edx=4",
        "0x7 0x1: eax=+1 ebx=2 ecx=3 edx=4",
        "0x7\t0x1: eax=1 ebx=2 ecx=3 edx=4",
        "0x7 0x1: eax=1 eax=2 ecx=3 edx=4",
        "0x7 0x1: eax=1 ebx=2 ecx=3",
        "0x7 0x1: eax=1 ebx=2 ecx=3 edx=4 esi=5",
        "0x70x1: eax=1 ebx=2 ecx=3 edx=4",
        "0X7 0x1: eax=1 ebx=2 ecx=3 edx=4",
        "0x7 0x1: eax=0x00000000000000001 ebx=2 ecx=3 edx=4",
        "0x7 0x1: eax=0x100000000 ebx=2 ecx=3 edx=4",
        "0x7 0x1: eax=1\u{301} ebx=2 ecx=3 edx=4",
    ])
    func scannerAgreesWithLineParser(_ line: String) {
        let slow = CPUIDDumpParser.parseLeafLine(Substring(line).trimmingWhitespace())
        let dump = try? CPUIDDumpParser.parse("CPU 0:\n" + line + "\n", source: "t")
        #expect(dump?.cpus.first?.leaves.first == slow)
    }
}
