/// The CPL3 instruction probes of one host, run in a child process with a time limit. Absent
/// (nil in the snapshot) for offline input; `error` says why a live run gave no results.
public struct Cpl3ProbeEvidence: Codable, Sendable, Hashable {
    public var results: [Cpl3ProbeResult]
    public var error: String?

    public init(results: [Cpl3ProbeResult], error: String? = nil) {
        self.results = results
        self.error = error
    }

    public func result(_ probe: String) -> Cpl3ProbeResult? {
        results.first { $0.probe == probe }
    }
}
