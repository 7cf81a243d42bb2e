/// What a VM could use on host A that host B lacks, and the verdict for migrating a VM from A
/// to B with A's full CPU model (host-passthrough): safe only when B offers everything A does.
public struct MigrationDiff: Sendable, Hashable, Codable {
    /// Whether a VM that uses all of A can move to B.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// B offers everything A does.
        case compatible
        /// B lacks something A offers (or is another vendor, or has narrower addresses).
        case incompatible
        /// Nothing known is missing, but B's evidence is silent on something A offers.
        case unknown
    }

    /// One capability, or one property (vendor, address width), and why it matters.
    public struct Item: Sendable, Hashable, Codable {
        public var name: String
        public var category: String
        /// QEMU's property name, so the list can become `-cpu ...,-name`.
        public var qemu: String?
        public var detail: String?

        public init(name: String, category: String, qemu: String? = nil, detail: String? = nil) {
            self.name = name
            self.category = category
            self.qemu = qemu
            self.detail = detail
        }
    }

    public struct Host: Sendable, Hashable, Codable {
        public var label: String
        public var vendor: String?
        public var brand: String?
        public var physicalAddressBits: Int?
        public var linearAddressBits: Int?
    }

    public var from: Host
    public var to: Host
    public var verdict: Verdict
    /// A offers these, B (by its evidence) does not.
    public var missing: [Item]
    /// A offers these, B's evidence does not say (e.g. no VMX MSRs captured on B).
    public var unknown: [Item]
    /// B offers these and A does not: a VM started on B with B's full model could not come back.
    public var gained: [String]
    public var summary: String

    public init(from a: HostCapabilities, to b: HostCapabilities) {
        func host(_ h: HostCapabilities) -> Host {
            Host(label: h.label, vendor: h.vendor, brand: h.brand, physicalAddressBits: h.physicalAddressBits,
                 linearAddressBits: h.linearAddressBits)
        }
        func item(_ i: Int) -> Item {
            let c = GuestCapability.catalogue[i]
            return Item(name: c.name, category: c.category, qemu: c.qemu)
        }
        var missing: [Item] = []
        if let va = a.vendor, let vb = b.vendor, va != vb {
            missing.append(Item(name: "vendor", category: "vendor",
                                detail: "\(va) → \(vb): a running guest cannot move between CPU vendors (KVM migrates no vendor-specific state across them)"))
        }
        missing += a.present.intersection(b.known).subtracting(b.present).indices.map(item)
        for (name, wa, wb) in [("physical_address_bits", a.physicalAddressBits, b.physicalAddressBits),
                               ("linear_address_bits", a.linearAddressBits, b.linearAddressBits)] {
            if let wa, let wb, wb < wa {
                missing.append(Item(name: name, category: "address-width",
                                    detail: "\(wa) bits on A, \(wb) on B (CPUID 80000008h:EAX): a guest given A's width cannot run on B"))
            }
        }
        let unknown = a.present.subtracting(b.known).indices.map(item)
        self.from = host(a)
        self.to = host(b)
        self.missing = missing
        self.unknown = unknown
        self.gained = b.present.intersection(a.known).subtracting(a.present).names
        verdict = !missing.isEmpty ? .incompatible : unknown.isEmpty ? .compatible : .unknown
        summary = switch verdict {
        case .compatible: "B offers everything a VM could use on A: migrating A → B is safe."
        case .incompatible: "B lacks \(missing.count) thing\(missing.count == 1 ? "" : "s") a VM could use on A: a VM using A's full CPU model cannot move to B."
        case .unknown: "B lacks nothing known, but its evidence says nothing about \(unknown.count) capabilit\(unknown.count == 1 ? "y" : "ies") A offers."
        }
    }
}
