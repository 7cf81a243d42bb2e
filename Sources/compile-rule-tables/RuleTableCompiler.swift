import Foundation
import HostModel
import Yams

/// The build-time half of the compiled rule tables: decodes `Data/rules/catalogue.yaml` and
/// `profiles.yaml` with the types' own `Decodable` conformances (so every check those make - the
/// `KIND VALUE` evidence syntax, the sides, the keys - fails the build, not a user's run) and
/// writes them as Swift literals for Analysis (`CompiledRuleTables`). Run by the RuleTables
/// build-tool plugin (Plugins/RuleTables); never shipped.
///
///     compile-rule-tables CATALOGUE.yaml PROFILES.yaml OUTPUT.swift
@main
enum RuleTableCompiler {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 3 else {
            fail("usage: compile-rule-tables CATALOGUE.yaml PROFILES.yaml OUTPUT.swift")
        }
        let (cataloguePath, profilesPath, outputPath) = (arguments[0], arguments[1], arguments[2])
        let rules = decode(RuleTables.Catalogue.self, cataloguePath).rules
        let profiles = decode(RuleTables.Profiles.self, profilesPath).profiles
        let source = SwiftSource.tables(rules: rules, profiles: profiles)
        do {
            try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
        } catch {
            fail("\(outputPath): \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) -> T {
        do {
            return try YAMLDecoder().decode(type, from: String(contentsOfFile: path, encoding: .utf8))
        } catch {
            fail("\(path): does not decode: \(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("compile-rule-tables: \(message)\n".utf8))
        exit(1)
    }
}
