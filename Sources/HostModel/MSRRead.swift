/// The outcome of reading one model-specific register on one CPU. The errno is the evidence:
/// `absent` (no /dev/cpu/N/msr: the msr driver is not loaded), `denied` (not root),
/// `unsupported` (EIO: this CPU has no such MSR).
public struct MSRRead: Codable, Sendable, Hashable {
    public var index: UInt32
    public var status: EvidenceStatus
    public var value: UInt64?
    public var detail: String?

    public init(index: UInt32, status: EvidenceStatus, value: UInt64? = nil, detail: String? = nil) {
        self.index = index
        self.status = status
        self.value = value
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey { case index, status, value, detail }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let indexText = try c.decode(String.self, forKey: .index)
        guard let index = Hex.parse32(Substring(indexText)) else {
            throw DecodingError.dataCorruptedError(forKey: .index, in: c, debugDescription: "MSR index is not 32-bit hex")
        }
        self.index = index
        status = try c.decode(EvidenceStatus.self, forKey: .status)
        if let text = try c.decodeIfPresent(String.self, forKey: .value) {
            guard let value = Hex.parse(Substring(text)) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "MSR value is not 64-bit hex")
            }
            self.value = value
        }
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Hex.format32(index), forKey: .index)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(value.map(Hex.format64), forKey: .value)
        try c.encodeIfPresent(detail, forKey: .detail)
    }
}
