import HostModel

/// Turns profile results into the contract exit code: 1 when a required profile fails,
/// 3 when one lacks evidence (1 with --strict), else 0.
enum GateDecision {
    static func exitCode(_ results: [ProfileResult], required: [String], strict: Bool) -> Int32 {
        let chosen = results.filter { required.contains($0.id) }
        if chosen.contains(where: { $0.status == .fail }) { return 1 }
        if chosen.contains(where: { $0.status == .unknown }) { return strict ? 1 : 3 }
        return 0
    }
}
