/// One KVM_CHECK_EXTENSION answer: 0 means unsupported, anything else is the capability's value.
public struct KVMCapability: Codable, Sendable, Hashable {
    /// The uapi name without the `KVM_CAP_` prefix, lower-cased: `user_memory`, `nested_state`, ...
    public var name: String
    public var number: Int
    public var value: Int

    public init(name: String, number: Int, value: Int) {
        self.name = name
        self.number = number
        self.value = value
    }
}
