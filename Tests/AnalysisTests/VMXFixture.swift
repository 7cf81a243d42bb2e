import Analysis
import Foundation
import HostModel
import Testing

/// One CPU of `Fixtures/vmx-msr-sets` (175 real CPUs, see its README): its CPUID dump, its MSR
/// listing, and what the decoders make of them.
struct VMXFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let cpuid: CPUIDTable
    let msrs: MSREvidence.CPU
    let identity: CPUIdentity
    let features: [String: Bool]
    let facts: VMXFacts?

    var testDescription: String { name }
    var model: Int { identity.model ?? -1 }
    var isIntel: Bool { identity.vendor == "GenuineIntel" }
    var brand: String { identity.brand ?? "" }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vmx-msr-sets")

    static func load(_ name: String) throws -> VMXFixture {
        let dir = directory.appendingPathComponent(name)
        let cpuidPath = dir.appendingPathComponent("cpuid.txt").path
        let msrPath = dir.appendingPathComponent("msr.txt").path
        let cpuid = try CPUIDDumpParser.parse(String(contentsOfFile: cpuidPath, encoding: .utf8), source: cpuidPath)
        let msrs = try MSRListingParser.parse(String(contentsOfFile: msrPath, encoding: .utf8), source: msrPath)
        guard let table = cpuid.cpus.first, let cpu = msrs.cpus.first else {
            throw InputError(path: dir.path, message: "fixture without CPU 0")
        }
        let features = CPUIDDecoder.features(table)
        return VMXFixture(name: name, cpuid: table, msrs: cpu, identity: CPUIDDecoder.identity(table), features: features,
                          facts: VMXDecoder.decode(cpuHasVMX: features["vmx"] ?? false, msrs: cpu, vmxFlags: nil))
    }

    static let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
        .filter { !$0.hasSuffix(".md") }.sorted() ?? []

    /// Every fixture; one that fails to load is left out here and reported by the corpus test.
    static let all: [VMXFixture] = names.compactMap { try? load($0) }

    /// The fixtures of family 6 Intel CPUs whose model number is one of `models`.
    static func intel(models: Set<Int>) -> [VMXFixture] {
        all.filter { $0.isIntel && $0.identity.family == 6 && models.contains($0.model) }
    }
}
