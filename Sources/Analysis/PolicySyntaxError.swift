/// Where a policy stops being the YAML virtcheck reads, and why: `line 3, column 7`, counted
/// from 1 in characters, as libyaml (and so Yams, which virtcheck used to read policies with)
/// counts them.
public struct PolicySyntaxError: Error, Sendable, Hashable {
    public var line: Int
    public var column: Int
    public var problem: String
}
