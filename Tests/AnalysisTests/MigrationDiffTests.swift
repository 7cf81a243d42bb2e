@testable import Analysis
import HostModel
import Testing

/// Migration verdicts for pairs whose differences are public facts of the CPU generations
/// (Intel ARK / AMD product pages, and `cpuid -f` over the same dumps), not earlier output.
struct MigrationDiffTests {
    @Test func sapphireRapidsToCascadeLakeLosesAMXAndFP16() throws {
        let d = MigrationDiff(from: try FleetFixtures.host(FleetFixtures.sapphireRapids),
                              to: try FleetFixtures.host(FleetFixtures.cascadeLake))
        let missing = Set(d.missing.map(\.name))
        #expect(d.verdict == .incompatible)
        for lost in ["amx_tile", "amx_int8", "amx_bf16", "avx512_fp16", "avx512_bf16", "avx_vnni", "serialize",
                     "movdir64b", "la57", "gfni", "vaes", "sha_ni", "physical_address_bits"] {
            #expect(missing.contains(lost), "Cascade Lake lacks \(lost)")
        }
        // Both generations have AVX-512 F/VL/BW/DQ/CD and VNNI (Cascade Lake introduced VNNI).
        for kept in ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd", "avx512_vnni", "avx2", "vmx"] {
            #expect(!missing.contains(kept), "Cascade Lake has \(kept)")
        }
        #expect(d.missing.first { $0.name == "amx_tile" }?.qemu == "amx-tile")
    }

    @Test func cascadeLakeToSapphireRapidsLosesOnlyTSXAndMPX() throws {
        let d = MigrationDiff(from: try FleetFixtures.host(FleetFixtures.cascadeLake),
                              to: try FleetFixtures.host(FleetFixtures.sapphireRapids))
        // MPX left with Ice Lake; this Sapphire Rapids part reports no HLE/RTM.
        #expect(Set(d.missing.map(\.name)) == ["hle", "rtm", "mpx"])
        #expect(d.gained.contains("amx_tile"))
    }

    @Test func zen4ToZen3LosesAVX512() throws {
        let d = MigrationDiff(from: try FleetFixtures.host(FleetFixtures.zen4), to: try FleetFixtures.host(FleetFixtures.zen3))
        let missing = Set(d.missing.map(\.name))
        #expect(d.verdict == .incompatible)
        for lost in ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512ifma", "avx512vbmi",
                     "avx512_vbmi2", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq", "avx512_bf16", "gfni",
                     "la57", "autoibrs"] {
            #expect(missing.contains(lost), "Zen 3 lacks \(lost)")
        }
        #expect(!missing.contains("avx2") && !missing.contains("vaes") && !missing.contains("svm.npt"))
        #expect(!missing.contains("vendor"))
    }

    @Test func aHostOffersEverythingItHas() throws {
        let host = try FleetFixtures.host(FleetFixtures.zen3)
        let d = MigrationDiff(from: host, to: host)
        #expect(d.verdict == .compatible)
        #expect(d.missing.isEmpty && d.unknown.isEmpty && d.gained.isEmpty)
    }

    @Test func crossingVendorsIsIncompatible() throws {
        let d = MigrationDiff(from: try FleetFixtures.host(FleetFixtures.zen3), to: try FleetFixtures.host(FleetFixtures.sapphireRapids))
        #expect(d.missing.first?.name == "vendor")
        #expect(d.missing.contains { $0.name == "svm" })
        #expect(d.verdict == .incompatible)
    }

    /// VT-x controls come from MSRs or cpuinfo: a target without either is silent, not lacking.
    @Test func silentEvidenceIsUnknownNotMissing() throws {
        let a = try FleetFixtures.host(FleetFixtures.cascadeLake)
        var withEPT = a
        let ept = try #require(GuestCapability.indexByName["vmx.ept"])
        withEPT.known.insert(ept)
        withEPT.present.insert(ept)
        let d = MigrationDiff(from: withEPT, to: a)
        #expect(d.verdict == .unknown)
        #expect(d.unknown.map(\.name) == ["vmx.ept"])
        var without = a
        without.known.insert(ept)
        #expect(MigrationDiff(from: withEPT, to: without).missing.map(\.name) == ["vmx.ept"])
    }

    /// Intel reports SYSCALL (CPUID 80000001H:EDX[11]) only in 64-bit mode: the Conroe X6800 dump
    /// (AIDA64, a 32-bit tool) reads 0 on a 64-bit CPU, the Coffee Lake one (64-bit tool) reads 1.
    /// The 0 says nothing, so diff calls it unknown, never missing.
    @Test func syscallReadByA32BitToolIsUnknownNotMissing() throws {
        let coffee = HostCapabilities(snapshot: try Fixtures.snapshot(cpuid: "coffeelake-i7-9700"), label: "coffeelake")
        let conroe = HostCapabilities(snapshot: try Fixtures.snapshot(cpuid: "conroe-core2-x6800"), label: "conroe")
        let d = MigrationDiff(from: coffee, to: conroe)
        #expect(!d.missing.contains { $0.name == "syscall" })
        #expect(d.unknown.contains { $0.name == "syscall" })
        #expect(d.missing.contains { $0.name == "avx2" })
        // A CPU without long mode truly lacks SYSCALL: the Core Duo T2600's 0 stays a 0.
        let yonah = HostCapabilities(snapshot: try Fixtures.snapshot(cpuid: "yonah-core-duo-t2600"), label: "yonah")
        #expect(MigrationDiff(from: coffee, to: yonah).missing.contains { $0.name == "syscall" })
    }
}
