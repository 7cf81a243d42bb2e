/// A device node such as /dev/kvm: whether it exists, and whether this user can open it
/// (and, when not, the owner, group and mode that explain why).
public struct DeviceNodeEvidence: Codable, Sendable, Hashable {
    public var path: String
    public var present: Bool
    /// open(O_RDWR) succeeded for this user; nil when not tried (offline input).
    public var accessible: Bool?
    /// Permission bits, e.g. `0660`.
    public var mode: String?
    public var ownerUid: UInt32?
    public var groupGid: UInt32?
    /// The group's name from /etc/group (e.g. `kvm`), when resolvable.
    public var groupName: String?
    /// The errno text when open failed.
    public var detail: String?
    /// Set when virtcheck could not try the open for its own reasons (out of descriptors or
    /// memory; `accessible` stays nil): the failure and the limit to raise.
    public var ownLimit: String?

    public init(path: String, present: Bool, accessible: Bool? = nil, mode: String? = nil, ownerUid: UInt32? = nil,
                groupGid: UInt32? = nil, groupName: String? = nil, detail: String? = nil) {
        self.path = path
        self.present = present
        self.accessible = accessible
        self.mode = mode
        self.ownerUid = ownerUid
        self.groupGid = groupGid
        self.groupName = groupName
        self.detail = detail
    }
}
