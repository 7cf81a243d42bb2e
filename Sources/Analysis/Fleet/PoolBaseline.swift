/// The common feature set of a pool of hosts, folded one host at a time: after `add`, the
/// caller drops the host's snapshot, so memory grows by a few words per host, never by a
/// snapshot. `result()` then says what every host offers, what the best host offers, and what
/// each host lacks against that best.
public struct PoolBaseline: Sendable {
    /// One host as kept between `add` and `result`: its name and bit sets only.
    private struct Member: Sendable {
        var label: String
        var vendor: String?
        var brand: String?
        var present: CapabilityBits
        var known: CapabilityBits
        var physicalAddressBits: Int?
        var linearAddressBits: Int?
    }

    private var members: [Member] = []
    /// Present on every host so far.
    private var everywhere = CapabilityBits.all
    /// Present on some host so far.
    private var somewhere = CapabilityBits.empty
    /// Known (present or absent) on every host so far.
    private var knownEverywhere = CapabilityBits.all
    private var physicalAddressBits: Int?
    private var linearAddressBits: Int?

    public init() {}

    public var count: Int { members.count }

    public mutating func add(_ host: HostCapabilities) {
        members.append(Member(label: host.label, vendor: host.vendor, brand: host.brand, present: host.present,
                              known: host.known, physicalAddressBits: host.physicalAddressBits,
                              linearAddressBits: host.linearAddressBits))
        everywhere = everywhere.intersection(host.present)
        somewhere = somewhere.union(host.present)
        knownEverywhere = knownEverywhere.intersection(host.known)
        physicalAddressBits = Self.narrower(physicalAddressBits, host.physicalAddressBits, first: members.count == 1)
        linearAddressBits = Self.narrower(linearAddressBits, host.linearAddressBits, first: members.count == 1)
    }

    /// The pool's width is the narrowest host's; one host whose width is unknown makes it unknown.
    private static func narrower(_ pool: Int?, _ host: Int?, first: Bool) -> Int? {
        if first { return host }
        guard let pool, let host else { return nil }
        return min(pool, host)
    }

    /// The pool's sets and CPU model; with `perHost`, each host's lacks too (the CPU-model
    /// formats leave them out, keeping a ten-thousand-host run to a few words per host).
    public func result(perHost: Bool = true) -> BaselineResult {
        let hosts = !perHost ? [] : members.map { m in
            BaselineResult.Host(
                label: m.label, vendor: m.vendor, brand: m.brand,
                lacks: somewhere.intersection(m.known).subtracting(m.present).names,
                unknown: somewhere.subtracting(m.known).names,
                physicalAddressBits: m.physicalAddressBits, linearAddressBits: m.linearAddressBits)
        }
        let vendors = Set(members.compactMap(\.vendor)).sorted()
        return BaselineResult(
            hostCount: members.count, vendors: vendors, common: members.isEmpty ? [] : everywhere.names,
            poolBest: somewhere.names,
            undetermined: somewhere.subtracting(everywhere).subtracting(knownEverywhere).names,
            physicalAddressBits: physicalAddressBits, linearAddressBits: linearAddressBits,
            cpuModel: CPUModel(common: members.isEmpty ? .empty : everywhere,
                               physicalAddressBits: physicalAddressBits, vendors: vendors),
            hosts: hosts)
    }
}
