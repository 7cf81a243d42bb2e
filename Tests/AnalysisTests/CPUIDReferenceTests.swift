import Analysis
import Foundation
import HostModel
import Testing
import VirtCheckData

/// The decoder against `cpuid -f` (Todd Allen's cpuid 20230120) on every committed dump: the same
/// rules as scripts/compare_cpuid.py, which runs the whole shared corpus through the CLI.
@Suite struct CPUIDReferenceTests {
    /// Disagreements where `cpuid -f` is wrong, with the reason; the test fails if one goes away
    /// (fixed upstream or in our decoder) as much as if a new one appears.
    static let knownCPUIDErrors: [String: String] = [
        "instlatx64-unfiltered/GenuineIntel/GenuineIntel0000590_Clanton_03_CPUID.txt.cpuid-r.txt cpu.features.smep":
            "cpuid -f decodes leaf 7 although CPUID.0:EAX = 2; SDM Vol.2A CPUID: leaves above the maximum are invalid "
            + "(Intel returns the highest basic leaf's data there) and Linux reads leaf 7 only when cpuid_level >= 7",
    ]

    @Test func everyCommittedDumpHasAReferenceRow() {
        let dumps = CPUIDFixtures.dumpPaths()
        #expect(dumps.count >= 40)
        #expect(Set(dumps) == Set(CPUIDFixtures.reference.keys),
                "regenerate with scripts/cpuid_reference.py Data/corpus/cpuid-r > Tests/AnalysisTests/Fixtures/cpuid-reference.tsv")
    }

    @Test(arguments: CPUIDFixtures.dumpPaths())
    func agreesWithCPUIDMinusF(_ file: String) throws {
        let reference = try #require(CPUIDFixtures.reference[file])
        let decoded = try Self.decodedValues(CPUIDFixtures.table(file))
        var disagreements: [String: String] = [:]
        for (column, cell) in reference where column != "file" && column != "cpuid_status" {
            guard let wanted = Self.expected(column, cell: cell, reference: reference),
                  let actual = Self.actual(column, decoded: decoded), wanted != actual else { continue }
            disagreements[column] = "virtcheck=\(actual.debugDescription) cpuid=\(wanted.debugDescription)"
        }
        let known = Set(Self.knownCPUIDErrors.keys.filter { $0.hasPrefix(file + " ") }.map { String($0.dropFirst(file.count + 1)) })
        #expect(Set(disagreements.keys) == known, "\(disagreements.sorted { $0.key < $1.key })")
        #expect(reference["cpuid_status"] == "ok" || file.hasPrefix("instlatx64-unfiltered/"),
                "cpuid -f crashed on \(file): \(reference["cpuid_status"] ?? "")")
    }

    /// The value a reference cell asks for, or nil where cpuid said nothing (no comparison).
    /// SVM/SEV objects exist only where the reference says so; their members read "null" otherwise.
    static func expected(_ column: String, cell: String, reference: [String: String]) -> String? {
        if column.hasPrefix("cpu.svm.") {
            guard reference["cpu.features.svm"] == "true" else { return "null" }
            if cell.isEmpty { return column == "cpu.svm.revision" || column == "cpu.svm.nasid" ? "0" : "false" }
            return cell
        }
        if column.hasPrefix("cpu.sev.") {
            let sevBits = reference.filter { $0.key.hasPrefix("cpu.sev.") && ($0.value == "true" || $0.value == "false") }
            guard sevBits.values.contains("true") else { return "null" }
            return cell
        }
        if column.hasPrefix("cpu.features.") { return cell.isEmpty ? nil : cell }
        return cell.isEmpty ? "null" : cell.replacingOccurrences(of: "\\0", with: "\0")
    }

    /// The decoded value for a reference column; SVM/SEV members are "null" when the object is.
    static func actual(_ column: String, decoded: [String: String]) -> String? {
        if column.hasPrefix("cpu.svm.") { return decoded["cpu.svm"] == "null" ? "null" : decoded[column] }
        if column.hasPrefix("cpu.sev.") { return decoded["cpu.sev"] == "null" ? "null" : decoded[column] }
        return decoded[column]
    }

    /// The decoder's output under the report's JSON paths, SVM/SEV keys made by `convertToSnakeCase`
    /// as the report encoder makes them, so a property name that does not map to its documented
    /// key fails here too.
    static func decodedValues(_ t: CPUIDTable) throws -> [String: String] {
        var out: [String: String] = [:]
        let id = CPUIDDecoder.identity(t)
        out["host.vendor"] = id.vendor ?? "null"
        out["host.family"] = id.family.map(String.init) ?? "null"
        out["host.model"] = id.model.map(String.init) ?? "null"
        out["host.stepping"] = id.stepping.map(String.init) ?? "null"
        out["host.brand"] = id.brand ?? "null"
        out["host.hypervisor.signature"] = CPUIDDecoder.hypervisor(t).signature ?? "null"
        for (name, on) in CPUIDDecoder.features(t) { out["cpu.features." + name] = on ? "true" : "false" }
        out["cpu.svm"] = "null"
        if let svm = CPUIDDecoder.svm(t, vmcr: nil) {
            out["cpu.svm"] = "object"
            for (key, value) in try snakeCaseFields(svm) { out["cpu.svm." + key] = value }
        }
        out["cpu.sev"] = "null"
        if let sev = CPUIDDecoder.sev(t) {
            out["cpu.sev"] = "object"
            for (key, value) in try snakeCaseFields(sev) { out["cpu.sev." + key] = value }
        }
        return out
    }

    static func snakeCaseFields(_ value: some Encodable) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try JSONDecoder().decode([String: JSONScalar].self, from: encoder.encode(value)).mapValues(\.text)
    }
}

/// A JSON scalar as the reference table spells it (`true`, `51`, `KVMKVMKVM`).
private struct JSONScalar: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            text = b ? "true" : "false"
        } else if let i = try? c.decode(Int64.self) {
            text = String(i)
        } else if c.decodeNil() {
            text = "null"
        } else {
            text = try c.decode(String.self)
        }
    }
}
