import Analysis
import HostModel
import Testing

struct PoolBaselineTests {
    static let all = [FleetFixtures.sapphireRapids, FleetFixtures.cascadeLake, FleetFixtures.zen4, FleetFixtures.zen3]

    private func baseline(_ names: [String]) throws -> BaselineResult {
        var pool = PoolBaseline()
        for name in names { pool.add(try FleetFixtures.host(name)) }
        return pool.result()
    }

    @Test func intelPoolKeepsAVX512ButNotAMX() throws {
        let r = try baseline([FleetFixtures.sapphireRapids, FleetFixtures.cascadeLake])
        #expect(r.common.contains("avx512f") && r.common.contains("avx512_vnni"))
        #expect(!r.common.contains("amx_tile") && !r.common.contains("avx512_fp16") && !r.common.contains("mpx"))
        #expect(r.physicalAddressBits == 46 && r.linearAddressBits == 48)
        let clx = try #require(r.hosts.first { $0.label == FleetFixtures.cascadeLake })
        #expect(clx.lacks.contains("amx_tile") && !clx.lacks.contains("avx512f"))
        let spr = try #require(r.hosts.first { $0.label == FleetFixtures.sapphireRapids })
        #expect(Set(spr.lacks) == ["hle", "rtm", "mpx"])
        #expect(r.cpuModel.qemu.contains(",+avx512f,") && r.cpuModel.qemu.contains(",-amx-tile"))
        #expect(r.cpuModel.qemu.contains("phys-bits=46"))
    }

    /// The masks are the common bits at their SDM positions: CPUID.(07H,0):EBX[16] AVX512F on,
    /// EDX[24] AMX-TILE off.
    @Test func cpuidMasksPlaceTheCommonBits() throws {
        let r = try baseline([FleetFixtures.sapphireRapids, FleetFixtures.cascadeLake])
        let leaf7 = try #require(r.cpuModel.cpuidMasks.first { $0.leaf == 7 && $0.subleaf == 0 })
        #expect(leaf7.ebx & (1 << 16) != 0)
        #expect(leaf7.edx & (1 << 24) == 0)
        #expect(leaf7.eax == 0)
    }

    @Test func amdPoolDropsAVX512() throws {
        let r = try baseline([FleetFixtures.zen4, FleetFixtures.zen3])
        #expect(!r.common.contains("avx512f"))
        #expect(r.common.contains("avx2") && r.common.contains("svm") && r.common.contains("svm.npt"))
        let zen3 = try #require(r.hosts.first { $0.label == FleetFixtures.zen3 })
        #expect(zen3.lacks.contains("avx512f"))
        #expect(r.cpuModel.notes.allSatisfy { !$0.contains("mixes CPU vendors") })
    }

    @Test func mixedVendorsAreNamed() throws {
        let r = try baseline(Self.all)
        #expect(r.vendors == ["AuthenticAMD", "GenuineIntel"])
        #expect(r.cpuModel.notes.contains { $0.contains("mixes CPU vendors") })
        #expect(!r.common.contains("vmx") && !r.common.contains("svm") && r.common.contains("sse4_2"))
    }

    /// Folding is order-free: the pool's sets do not depend on which host came first.
    @Test func foldOrderDoesNotMatter() throws {
        let forward = try baseline(Self.all)
        let backward = try baseline(Self.all.reversed())
        #expect(forward.common == backward.common)
        #expect(forward.poolBest == backward.poolBest)
        for host in forward.hosts {
            #expect(backward.hosts.first { $0.label == host.label } == host)
        }
    }

    /// Each host's lacks are exactly the best minus what it has: a host lacking nothing has
    /// every capability of the pool.
    @Test func lacksArePoolBestMinusHost() throws {
        let r = try baseline(Self.all)
        for name in Self.all {
            let host = try FleetFixtures.host(name)
            let lacks = try #require(r.hosts.first { $0.label == name }).lacks
            let expected = r.poolBest.filter { n in
                let i = GuestCapability.indexByName[n]!
                return host.known.contains(i) && !host.present.contains(i)
            }
            #expect(lacks == expected)
        }
    }
}
