/// The status of one rule on one host. `unknown` means evidence was missing (with the reason);
/// it is never silently a failure.
public enum FindingStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case pass, warn, fail, unknown
    case notApplicable = "not-applicable"
}
