import Analysis
import Foundation
import Testing

/// The capabilities `diff` and `baseline` read, held against an independent decoder: Todd
/// Allen's `cpuid -f` (Debian package cpuid, installed by scripts/test) over the same dumps.
/// Each row pairs a catalogue name with the line cpuid prints for that bit.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cpuid"), "cpuid is not installed (scripts/ensure-deps cpuid)"))
struct CPUIDReferenceTests {
    static let labels: [(String, String)] = [
        ("cx16", "CMPXCHG16B instruction"), ("sse4_2", "SSE4.2 extensions"), ("x2apic", "x2APIC: extended xAPIC support"),
        ("popcnt", "POPCNT instruction"), ("fsgsbase", "FSGSBASE instructions"), ("hle", "HLE hardware lock elision"),
        ("avx2", "AVX2: advanced vector extensions 2"), ("smep", "SMEP supervisor mode exec protection"),
        ("rtm", "RTM: restricted transactional memory"), ("mpx", "MPX: intel memory protection extensions"),
        ("avx512f", "AVX512F: AVX-512 foundation instructions"), ("avx512dq", "AVX512DQ: double & quadword instructions"),
        ("smap", "SMAP: supervisor mode access prevention"), ("avx512ifma", "AVX512IFMA: integer fused multiply add"),
        ("clwb", "CLWB instruction"), ("avx512cd", "AVX512CD: conflict detection instrs"), ("sha_ni", "SHA instructions"),
        ("avx512bw", "AVX512BW: byte & word instructions"), ("avx512vl", "AVX512VL: vector length"),
        ("avx512vbmi", "AVX512VBMI: vector byte manipulation"), ("umip", "UMIP: user-mode instruction prevention"),
        ("pku", "PKU protection keys for user-mode"), ("waitpkg", "WAITPKG instructions"),
        ("gfni", "GFNI: Galois Field New Instructions"), ("vaes", "VAES instructions"),
        ("avx512_vnni", "AVX512_VNNI: neural network instructions"), ("avx512_vpopcntdq", "AVX512: VPOPCNTDQ instruction"),
        ("la57", "LA57: 57-bit addrs & 5-level paging"), ("rdpid", "RDPID: read processor ID supported"),
        ("movdir64b", "MOVDIR64B instruction"), ("fsrm", "fast short REP MOV"), ("serialize", "SERIALIZE instruction"),
        ("amx_bf16", "AMX-BF16: tile bfloat16 support"), ("avx512_fp16", "AVX512_FP16: fp16 support"),
        ("amx_tile", "AMX-TILE: tile architecture support"), ("amx_int8", "AMX-INT8: tile 8-bit integer support"),
        ("avx_vnni", "AVX-VNNI: AVX VNNI neural network instrs"), ("avx512_bf16", "AVX512_BF16: bfloat16 instructions"),
        ("xsaveopt", "XSAVEOPT instruction"), ("xsavec", "XSAVEC instruction"), ("xsaves", "XSAVES/XRSTORS instructions"),
        ("xfd", "XFD: extended feature disable supported"), ("pdpe1gb", "1-GB large page support"), ("rdtscp", "RDTSCP"),
        ("lahf_lm", "LAHF/SAHF supported in 64-bit mode"), ("svm", "SVM: secure virtual machine"),
        ("abm", "LZCNT advanced bit manipulation"), ("sse4a", "SSE4A support"), ("misalignsse", "misaligned SSE mode"),
        ("xop", "XOP support"), ("topoext", "topology extensions"), ("clzero", "CLZERO instruction"),
        ("rdpru", "RDPRU instruction"), ("wbnoinvd", "WBNOINVD instruction"), ("svm.npt", "nested paging"),
        ("svm.nrip_save", "NRIP save"), ("svm.tsc_rate_msr", "MSR based TSC rate control"),
        ("svm.avic", "AVIC: AMD virtual interrupt controller"), ("svm.x2avic", "X2AVIC: virtualized X2APIC"),
        ("sev", "SEV: secure encrypted virtualize support"), ("sev_es", "SEV-ES: SEV encrypted state support"),
        ("sev_snp", "SEV-SNP: SEV secure nested paging"),
    ]

    /// `label = true|false` lines of `cpuid -f FILE`, first occurrence of each label.
    static func reference(_ file: String) throws -> [String: Bool] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/cpuid")
        p.arguments = ["-f", file]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var bits: [String: Bool] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.range(of: " = ") else { continue }
            let key = line[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = line[eq.upperBound...].trimmingCharacters(in: .whitespaces)
            if bits[key] == nil, value == "true" || value == "false" { bits[key] = value == "true" }
        }
        return bits
    }

    @Test(arguments: [FleetFixtures.sapphireRapids, FleetFixtures.cascadeLake, FleetFixtures.zen4, FleetFixtures.zen3])
    func agreesWithCpuidF(_ name: String) throws {
        let reference = try Self.reference(FleetFixtures.path(name))
        let host = try FleetFixtures.host(name)
        var compared = 0
        for (capability, label) in Self.labels {
            guard let expected = reference[label] else { continue }
            let i = try #require(GuestCapability.indexByName[capability])
            #expect(host.known.contains(i), "\(capability) is known from a dump")
            #expect(host.present.contains(i) == expected, "\(name): \(capability) (cpuid -f: \(label) = \(expected))")
            compared += 1
        }
        #expect(compared >= 40, "cpuid -f printed too few of the labels to compare (\(compared))")
    }
}
