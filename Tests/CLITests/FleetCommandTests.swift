import Foundation
import Testing

/// `virtcheck diff` and `virtcheck baseline` end to end: exit codes are the contract.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct FleetCommandTests {
    static func dump(_ name: String) -> String { VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/\(name).cpuid-r.txt") }
    static let spr = dump("Intel-SapphireRapids-2xXeonMax9460")
    static let clx = dump("Intel-CascadeLake-2xXeon6230")
    static let zen4 = dump("AMD-19h-Zen4-2xEpyc-9654")
    static let zen3 = dump("AMD-19h-Zen3-2xEpyc-7763")

    @Test func diffSapphireRapidsToCascadeLakeExitsOneAndNamesAMX() throws {
        let r = try VirtCheckBinary.run(["diff", Self.spr, Self.clx, "--format", "json"])
        #expect(r.status == 1)
        let diff = try #require(r.json?["diff"] as? [String: Any])
        #expect(diff["verdict"] as? String == "incompatible")
        let missing = (diff["missing"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(missing.contains("amx_tile") && missing.contains("avx512_fp16"))
        #expect(r.json?["schema_version"] as? Int == 1)
    }

    @Test func diffZen3ToItselfExitsZero() throws {
        let r = try VirtCheckBinary.run(["diff", Self.zen3, Self.zen3])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("Migrating a VM from A to B: COMPATIBLE"))
    }

    @Test func diffZen4ToZen3TextListsAVX512() throws {
        let r = try VirtCheckBinary.run(["diff", Self.zen4, Self.zen3])
        #expect(r.status == 1)
        #expect(r.stdout.contains("avx512: avx512f"))
    }

    /// Real captures that say nothing about the CPU's features: an MSR listing (Conroe X6800)
    /// and an IOMMU group listing. `diff` from one said "migrating A → B is safe" with exit 0,
    /// and `baseline` built a QEMU model with `-fpu,...,-lm`; now each is unusable input.
    static let msrListing = VirtCheckBinary.repoPath("Tests/AnalysisTests/Fixtures/msr/conroe-core2-x6800.txt")
    static let iommuListing = VirtCheckBinary.repoPath("Tests/HostProbeTests/Fixtures/iommu-listings/asokolsky_duo__iommu.txt")

    @Test(arguments: [["diff", msrListing, msrListing], ["diff", msrListing, zen3], ["diff", zen3, iommuListing],
                      ["baseline", iommuListing, zen3], ["baseline", "--format", "qemu", msrListing]])
    func captureWithoutCPUFeaturesIsUnusable(_ arguments: [String]) throws {
        let r = try VirtCheckBinary.run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.stdout)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("says nothing about the CPU's features"), "\(r.stderr)")
    }

    @Test(arguments: [["diff", "/nonexistent/a", zen3], ["diff", zen3, VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/SOURCES.md")],
                      ["baseline", zen3, "/nonexistent/b"]])
    func badInputExitsTwoWithNothingOnStdout(_ arguments: [String]) throws {
        let r = try VirtCheckBinary.run(arguments)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func baselineJSONHasCommonSetAndPerHostLacks() throws {
        let r = try VirtCheckBinary.run(["baseline", Self.zen4, Self.zen3, "--format", "json"])
        #expect(r.status == 0)
        let b = try #require(r.json?["baseline"] as? [String: Any])
        let common = b["common"] as? [String] ?? []
        #expect(common.contains("avx2") && !common.contains("avx512f"))
        let hosts = b["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.count == 2)
        let zen3 = try #require(hosts.first { $0["label"] as? String == Self.zen3 })
        #expect((zen3["lacks"] as? [String] ?? []).contains("avx512f"))
    }

    @Test func baselineReadsPathsFromAListFileAndPrintsAQEMUModel() throws {
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fleet-\(getpid()).txt")
        try "\(Self.spr)\n\n\(Self.clx)\n".write(to: list, atomically: true, encoding: .utf8)
        let r = try VirtCheckBinary.run(["baseline", "--paths-from", list.path, "--format", "qemu"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("host,migratable=on,host-phys-bits=off,phys-bits=46,"))
        #expect(r.stdout.contains(",+avx512f,") && r.stdout.contains(",-amx-tile,"))
    }

    @Test func baselineCPUIDMasksReadBackAsADump() throws {
        let r = try VirtCheckBinary.run(["baseline", Self.spr, Self.clx, "--format", "cpuid"])
        #expect(r.status == 0)
        // The mask lines are `cpuid -r` lines: leaf 7 EBX has AVX512F (bit 16), EDX no AMX-TILE (bit 24).
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("0x00000007 0x00:") })
        let ebx = try #require(line.split(separator: " ").first { $0.hasPrefix("ebx=") }.flatMap { UInt32($0.dropFirst(6), radix: 16) })
        let edx = try #require(line.split(separator: " ").first { $0.hasPrefix("edx=") }.flatMap { UInt32($0.dropFirst(6), radix: 16) })
        #expect(ebx & (1 << 16) != 0 && edx & (1 << 24) == 0)
    }

    @Test func baselineWithoutHostsIsAUsageError() throws {
        #expect(try VirtCheckBinary.run(["baseline"]).status == 64)
    }
}
