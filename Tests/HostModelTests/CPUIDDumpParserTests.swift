import HostModel
import Testing

@Suite struct CPUIDDumpParserTests {
    @Test func parsesHeadersSubleavesAndOldFormat() throws {
        let text = "Disclaimer: cpuid may not support decoding of all cpuid registers.\r\nCPU 0:\r\n   0x00000000 0x00: eax=0x0000001c ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\r\n\n   0x00000007 0x01: eax=0x00000020 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\nCPU 1:\n0x00000000: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
        let evidence = try CPUIDDumpParser.parse(text, source: "t")
        #expect(evidence.cpus.count == 2)
        #expect(evidence.cpus[0].leaf(7, subleaf: 1)?.eax == 0x20)
        #expect(evidence.cpus[1].cpu == 1)
        #expect(evidence.cpus[1].leaf(0)?.eax == 0xd)
    }

    @Test(arguments: ["", "CPU 0:\n", "CPU 0:\n0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3\n", "hello\n",
                      "CPU x:\n", "CPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x1ffffffff\n",
                      "CPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\nCPU 0:\n0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\n"])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: InputError.self) { try CPUIDDumpParser.parse(text, source: "bad") }
    }
}
