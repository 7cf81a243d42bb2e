/// Where the logical processor is with respect to VMX (SDM 24.3).
public enum VMXMode: String, Codable, Sendable, Hashable {
    /// Not in VMX operation.
    case outside
    /// VMX root operation (the hypervisor).
    case root
    /// VMX non-root operation (a guest).
    case nonRoot = "nonroot"
}
