/// A policy document as `PolicyYAMLReader` reads it: the tree `PolicyParser` validates.
/// Mappings keep their entries in document order (a policy's profiles are applied in the order
/// written) and have scalar keys only; a scalar remembers whether it was plain, because `strict`
/// takes the plain words `true` and `false` only, not the strings `"true"` and `"false"`.
public enum PolicyNode: Sendable, Hashable {
    case scalar(String, plain: Bool)
    case sequence([PolicyNode])
    case mapping([Entry])

    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: PolicyNode

        public init(key: String, value: PolicyNode) {
            self.key = key
            self.value = value
        }
    }

    /// What an empty value (`key:` with nothing after it) reads as: YAML's null, a plain empty scalar.
    public static let empty = PolicyNode.scalar("", plain: true)
}
