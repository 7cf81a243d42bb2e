import Foundation
import PackagePlugin

/// Compiles the rule catalogue and the profiles (`Data/rules/catalogue.yaml`, `profiles.yaml`)
/// into Swift source for the Analysis target at every build where either changed, so that no run
/// decodes YAML at start-up (issue 16: Yams decoding them was ~47 M instructions of every
/// `check`). The YAML stays the one place humans edit: a merge of YAML edits needs no
/// regeneration step, and a YAML edit cannot leave stale tables behind.
@main
struct RuleTablesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rules = context.package.directoryURL.appendingPathComponent("Data").appendingPathComponent("rules")
        let inputs = [rules.appendingPathComponent("catalogue.yaml"), rules.appendingPathComponent("profiles.yaml")]
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("CompiledRuleTables.swift")
        return [
            .buildCommand(
                displayName: "Compiling Data/rules/catalogue.yaml and profiles.yaml into Swift",
                executable: try context.tool(named: "compile-rule-tables").url,
                arguments: inputs.map(\.path) + [output.path],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
