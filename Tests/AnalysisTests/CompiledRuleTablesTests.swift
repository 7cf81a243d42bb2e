import Foundation
import HostModel
import Testing
import Yams
@testable import Analysis

/// The rule catalogue and the profiles the binary holds are the ones the YAML says: the RuleTables
/// plugin compiles `Data/rules/*.yaml` into Swift literals at build time, and here the YAML is
/// decoded again (with Yams, which no run uses for them) and compared value by value - every rule,
/// evidence declaration, citation, remediation and requirement, in order.
struct CompiledRuleTablesTests {
    static let rulesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/rules")

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try YAMLDecoder().decode(type, from: String(contentsOf: rulesDirectory.appendingPathComponent(name), encoding: .utf8))
    }

    @Test func theCompiledCatalogueIsTheYAML() throws {
        let decoded = try Self.decode(RuleTables.Catalogue.self, "catalogue.yaml").rules
        let compiled = RuleCatalogue.builtIn.rules
        #expect(compiled.map(\.id) == decoded.map(\.id))
        for (built, yaml) in zip(compiled, decoded) {
            #expect(built == yaml, "\(yaml.id) differs from catalogue.yaml")
        }
        #expect(decoded.count >= 50, "the catalogue decoded to \(decoded.count) rules")
    }

    @Test func theCompiledProfilesAreTheYAML() throws {
        let decoded = try Self.decode(RuleTables.Profiles.self, "profiles.yaml").profiles
        let compiled = ProfileEvaluator.profiles
        #expect(compiled.map(\.id) == decoded.map(\.id))
        for (built, yaml) in zip(compiled, decoded) {
            #expect(built == yaml, "\(yaml.id) differs from profiles.yaml")
        }
        #expect(!decoded.isEmpty)
    }
}
