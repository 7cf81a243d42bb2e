import Analysis
import Testing
import VirtCheckData

/// Data/tables/guest_cpu_features.tsv is ours: a row the catalogue cannot read would silently
/// drop a feature from every diff, so each row must load, once, at a real bit.
struct GuestCapabilityTableTests {
    @Test func everyRowLoads() {
        let rows = DataTables.guestCPUFeatures.rows
        let cpuid = GuestCapability.catalogue.filter { if case .cpuid = $0.origin { true } else { false } }
        #expect(rows.count == cpuid.count)
        #expect(rows.count > 150)
    }

    @Test func namesAndBitsAreUnique() {
        var names = Set<String>()
        var bits = Set<String>()
        for c in GuestCapability.catalogue {
            #expect(names.insert(c.name).inserted, "\(c.name) twice")
            if case let .cpuid(leaf, subleaf, register, bit) = c.origin {
                #expect(bits.insert("\(leaf)/\(subleaf)/\(register)/\(bit)").inserted, "\(c.name) reuses a bit")
            }
        }
    }

    @Test func categoriesAreTheDocumentedOnes() {
        let known: Set = ["base", "simd", "avx512", "amx", "crypto", "memory", "security", "mitigation", "tsx", "tsc",
                          "nesting", "confidential", "other"]
        for c in GuestCapability.catalogue { #expect(known.contains(c.category), "\(c.name): \(c.category)") }
    }

    /// Hand-checked positions from the SDM/APM tables, not from the file itself.
    @Test(arguments: [("avx512f", 7, 0, 1, 16), ("amx_tile", 7, 0, 3, 24), ("avx512_fp16", 7, 0, 3, 23),
                      ("avx_vnni", 7, 1, 0, 4), ("la57", 7, 0, 2, 16), ("pku", 7, 0, 2, 3), ("sha_ni", 7, 0, 1, 29),
                      ("sse4_2", 1, 0, 2, 20), ("svm", 0x8000_0001, 0, 2, 2), ("invtsc", 0x8000_0007, 0, 3, 8)])
    func knownPositions(_ row: (String, Int, Int, Int, Int)) throws {
        let c = try #require(GuestCapability.catalogue.first { $0.name == row.0 })
        #expect(c.origin == .cpuid(leaf: UInt32(row.1), subleaf: UInt32(row.2), register: row.3, bit: row.4))
    }
}
