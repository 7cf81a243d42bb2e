/// One exit of a test guest to userspace, as KVM_RUN reported it.
public struct GuestExit: Codable, Sendable, Hashable {
    /// The KVM_EXIT_* name without prefix, lower-cased (`io`, `hlt`, `mmio`, `shutdown`, `fail_entry`, ...).
    public var reason: String
    public var code: Int
    /// For `io`: direction, port, size, and the bytes written by an OUT as a number.
    public var port: Int?
    public var size: Int?
    public var direction: String?
    public var value: UInt64?
    /// For failures: hardware_entry_failure_reason, suberror, ...
    public var detail: String?

    public init(reason: String, code: Int, port: Int? = nil, size: Int? = nil, direction: String? = nil,
                value: UInt64? = nil, detail: String? = nil) {
        self.reason = reason
        self.code = code
        self.port = port
        self.size = size
        self.direction = direction
        self.value = value
        self.detail = detail
    }

    /// An exit of a known KVM_EXIT_* kind, named and numbered from the one table.
    public init(_ reason: KVMExitReason, port: Int? = nil, size: Int? = nil, direction: String? = nil,
                value: UInt64? = nil, detail: String? = nil) {
        self.init(reason: reason.name, code: Int(reason.rawValue), port: port, size: size, direction: direction,
                  value: value, detail: detail)
    }

    /// The KVM_EXIT_* kind, when `code` is one of the table's.
    public var kind: KVMExitReason? { UInt32(exactly: code).flatMap(KVMExitReason.init(rawValue:)) }
}
