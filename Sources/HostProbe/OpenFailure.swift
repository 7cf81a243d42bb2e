import HostModel

/// Why a file of evidence could not be opened: the status it is recorded with and a one-line detail.
public struct OpenFailure: Error, Sendable, Hashable {
    public var status: EvidenceStatus
    public var detail: String
    /// The errno of a failed open(2); nil when the file opened but is not a regular file.
    public var errno: Int32?
}
