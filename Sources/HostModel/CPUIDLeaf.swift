/// One CPUID result: the registers for (leaf, subleaf), exactly as the CPU returned them.
public struct CPUIDLeaf: Codable, Sendable, Hashable {
    public var leaf: UInt32
    public var subleaf: UInt32
    public var eax: UInt32
    public var ebx: UInt32
    public var ecx: UInt32
    public var edx: UInt32

    public init(leaf: UInt32, subleaf: UInt32 = 0, eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        self.leaf = leaf
        self.subleaf = subleaf
        self.eax = eax
        self.ebx = ebx
        self.ecx = ecx
        self.edx = edx
    }

    /// The register named `eax`/`ebx`/`ecx`/`edx`; nil for any other name.
    public func register(_ name: String) -> UInt32? {
        switch name.lowercased() {
        case "eax": eax
        case "ebx": ebx
        case "ecx": ecx
        case "edx": edx
        default: nil
        }
    }

    private enum CodingKeys: String, CodingKey { case leaf, subleaf, eax, ebx, ecx, edx }

    public init(from decoder: any Decoder) throws {
        if let tree = decoder as? JSONTreeDecoder, let leaf = CPUIDLeaf(tree: tree.value) {
            self = leaf
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func hex(_ key: CodingKeys) throws -> UInt32 {
            let text = try c.decode(String.self, forKey: key)
            guard let value = Hex.parse32(Substring(text)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a 32-bit hex value: \(text.prefix(40))")
            }
            return value
        }
        leaf = try hex(.leaf)
        subleaf = try hex(.subleaf)
        eax = try hex(.eax)
        ebx = try hex(.ebx)
        ecx = try hex(.ecx)
        edx = try hex(.edx)
    }

    /// A well-formed leaf read straight from a snapshot's tree, without a keyed container and a
    /// decoder per register: a snapshot holds a leaf per CPUID function per CPU (hundreds for two
    /// CPUs, tens of thousands for a large host), and the containers cost 10,000 instructions a
    /// leaf, 6 % of a `check --from`; this path half that (callgrind, issue 16). nil for anything
    /// else (a key missing, a value not a 32-bit hex string): the container path then says what
    /// is wrong.
    init?(tree: JSONValue) {
        guard case .object(let members) = tree else { return nil }
        func hex(_ key: CodingKeys) -> UInt32? {
            guard case .string(let text)? = members[key.stringValue] else { return nil }
            return Hex.parse32(Substring(text))
        }
        guard let leaf = hex(.leaf), let subleaf = hex(.subleaf), let eax = hex(.eax), let ebx = hex(.ebx),
              let ecx = hex(.ecx), let edx = hex(.edx) else { return nil }
        self.init(leaf: leaf, subleaf: subleaf, eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Hex.format32(leaf), forKey: .leaf)
        try c.encode(Hex.format32(subleaf), forKey: .subleaf)
        try c.encode(Hex.format32(eax), forKey: .eax)
        try c.encode(Hex.format32(ebx), forKey: .ebx)
        try c.encode(Hex.format32(ecx), forKey: .ecx)
        try c.encode(Hex.format32(edx), forKey: .edx)
    }
}
