import HostModel

/// Collects reasons for one device and keeps the worst status: fail over unknown over warn over pass.
struct VerdictBuilder {
    private(set) var status = FindingStatus.pass
    private(set) var reasons: [String] = []
    /// The status of each reason, kept in step with `reasons`.
    private var statuses: [FindingStatus] = []
    private var remedies: [String] = []

    static func rank(_ s: FindingStatus) -> Int {
        switch s {
        case .fail: 4
        case .unknown: 3
        case .warn: 2
        case .pass: 1
        case .notApplicable: 0
        }
    }

    /// Worse reasons are listed first, so the summary line is the one that matters.
    mutating func add(_ s: FindingStatus, _ reason: String, remedy: String? = nil) {
        let position = reasons.indices.first { Self.rank(statuses[$0]) < Self.rank(s) } ?? reasons.count
        reasons.insert(reason, at: position)
        statuses.insert(s, at: position)
        if Self.rank(s) > Self.rank(status) { status = s }
        if let remedy, !remedies.contains(remedy) { remedies.append(remedy) }
    }

    var verdict: PassthroughVerdict {
        PassthroughVerdict(status: status, reasons: reasons, remediation: remedies.isEmpty ? nil : remedies.joined(separator: " "))
    }
}
