/// A text file read as evidence (/proc/cpuinfo, lscpu output, the kernel command line),
/// kept verbatim so that decoding it later on another machine gives the same facts.
public struct TextEvidence: Codable, Sendable, Hashable {
    /// Where it was read, e.g. `/proc/cpuinfo` or the `--from` path.
    public var source: String
    public var status: EvidenceStatus
    public var text: String?
    /// Why it could not be read, when `status` is not `ok`.
    public var detail: String?

    public init(source: String, status: EvidenceStatus, text: String? = nil, detail: String? = nil) {
        self.source = source
        self.status = status
        self.text = text
        self.detail = detail
    }
}
