/// The two YAML documents of `Data/rules` as their top-level shapes: `catalogue.yaml` (`rules:`,
/// beside the `shared:` anchors its texts reuse) and `profiles.yaml` (`profiles:`). The build-time
/// compiler (Sources/compile-rule-tables) decodes them into the Swift literals the binary holds,
/// and the fidelity test (Tests/AnalysisTests/CompiledRuleTablesTests) decodes them again to hold
/// the compiled values to the YAML.
public enum RuleTables {
    public struct Catalogue: Decodable, Sendable {
        public var rules: [RuleDefinition]
    }

    public struct Profiles: Decodable, Sendable {
        public var profiles: [ProfileDefinition]
    }
}
