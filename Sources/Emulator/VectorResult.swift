/// The result of running one conformance vector.
public struct VectorResult: Codable, Sendable, Hashable {
    public var name: String
    public var file: String
    public var line: Int
    public var instruction: Instruction
    public var citation: String
    public var expected: String
    public var actual: String
    /// Empty when the vector passed; else each difference, one per entry.
    public var mismatches: [String]

    public var passed: Bool { mismatches.isEmpty }
}
