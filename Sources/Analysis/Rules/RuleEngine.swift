import HostModel

/// Runs every rule family over the facts. Each family is one type; the catalogue documents every
/// id they produce (a test holds them to it). Findings come in the families' order.
public enum RuleEngine {
    /// `popekGoldberg`, when the caller has it, is this host's analysis (made from `facts` otherwise).
    public static func findings(_ facts: HostFacts, source: SourceInfo, popekGoldberg: PopekGoldbergAnalysis? = nil) -> [Finding] {
        let c = RuleContext(facts: facts, source: source, popekGoldberg: popekGoldberg)
        return VirtualizationExtensionRules.findings(c) + VMXCapabilityRules.findings(c) + SVMCapabilityRules.findings(c)
            + ProcessorFeatureRules.findings(c) + ControlDomainRules.findings(c) + KVMRules.findings(c)
            + ConfidentialComputingRules.findings(c) + HostServiceRules.findings(c) + PopekGoldbergRules.findings(c)
    }
}
