/// The 36-byte System Description Table header every ACPI table starts with (ACPI 6.5 §5.2.6).
public struct ACPITableHeader: Codable, Sendable, Hashable {
    public var signature: String
    public var length: Int
    public var revision: Int
    /// The table's bytes sum to zero mod 256; firmware sometimes gets this wrong and Linux only warns.
    public var checksumValid: Bool
    public var oemId: String
    public var oemTableId: String

    public init(signature: String, length: Int, revision: Int, checksumValid: Bool, oemId: String, oemTableId: String) {
        self.signature = signature
        self.length = length
        self.revision = revision
        self.checksumValid = checksumValid
        self.oemId = oemId
        self.oemTableId = oemTableId
    }
}
