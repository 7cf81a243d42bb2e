/// The run of one test guest in one CPU mode (`real`, `long64`).
public struct GuestModeRun: Codable, Sendable, Hashable {
    public var mode: String
    public var ok: Bool
    /// What the guest was meant to return and what it returned (the proof it executed).
    public var expected: UInt64?
    public var observed: UInt64?
    public var exits: [GuestExit]
    public var detail: String?

    public init(mode: String, ok: Bool, expected: UInt64?, observed: UInt64?, exits: [GuestExit], detail: String?) {
        self.mode = mode
        self.ok = ok
        self.expected = expected
        self.observed = observed
        self.exits = exits
        self.detail = detail
    }
}
