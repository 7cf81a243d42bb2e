/// The result of one rule on one subject, with the evidence it used and what to do about it.
public struct Finding: Codable, Sendable, Hashable {
    public var id: String
    /// Nil for host-wide rules; e.g. a PCI address for per-device rules. `id`+`subject` is unique.
    public var subject: String?
    public var status: FindingStatus
    public var title: String
    public var summary: String
    public var evidence: [EvidenceItem]
    public var remediation: String?

    public init(id: String, subject: String? = nil, status: FindingStatus, title: String, summary: String,
                evidence: [EvidenceItem], remediation: String? = nil) {
        self.id = id
        self.subject = subject
        self.status = status
        self.title = title
        self.summary = summary
        self.evidence = evidence
        self.remediation = remediation
    }
}
