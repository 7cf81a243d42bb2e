import HostModel

/// Runs every rule family over the facts. Each family is one type; the catalogue documents every
/// id they produce (a test holds them to it). Findings come in the families' order.
public enum RuleEngine {
    public static func findings(_ facts: HostFacts, source: SourceInfo) -> [Finding] {
        let c = RuleContext(facts: facts, source: source)
        return VirtualizationExtensionRules.findings(c) + VMXCapabilityRules.findings(c) + SVMCapabilityRules.findings(c)
            + ProcessorFeatureRules.findings(c) + ControlDomainRules.findings(c) + KVMRules.findings(c)
            + ConfidentialComputingRules.findings(c) + PopekGoldbergRules.findings(c)
    }
}
