/// One file, directory or device node the rules declared (`EvidencePlan`), as read: a small file's
/// text, a directory's names, or a node's presence, with the status of the read. The snapshot keeps
/// these as a list (`Snapshot.files`), keyed by absolute path, so `--root` trees and captures from
/// other hosts decode to the same facts.
public struct HostFileEvidence: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case file, directory, device
    }

    /// The absolute path as on the host (`/sys/kernel/mm/ksm/run`), never the `--root` path.
    public var path: String
    public var kind: Kind
    /// `ok` when read (a device: when present), `absent` when missing, `denied`, `error`.
    public var status: EvidenceStatus
    /// A file's text, trimmed of surrounding whitespace.
    public var text: String?
    /// A directory's entry names, sorted.
    public var entries: [String]?
    /// Why it could not be read, when `status` is not `ok`.
    public var detail: String?

    public init(path: String, kind: Kind, status: EvidenceStatus, text: String? = nil, entries: [String]? = nil, detail: String? = nil) {
        self.path = path
        self.kind = kind
        self.status = status
        self.text = text
        self.entries = entries
        self.detail = detail
    }
}
