/// One hand-written conformance vector: a starting state, one instruction, the outcome the
/// SDM/APM row it cites says must happen, and state that must hold afterwards.
public struct ConformanceVector: Sendable, Hashable {
    public var name: String
    /// Where it was written: file name and line.
    public var file: String
    public var line: Int
    /// The manual section or row it comes from.
    public var citation: String
    public var base: VectorBase
    public var given: [StateSetting]
    public var instruction: Instruction
    public var operands: Operands
    public var expected: Outcome
    public var then: [StateSetting]

    public init(name: String, file: String, line: Int, citation: String, base: VectorBase, given: [StateSetting],
                instruction: Instruction, operands: Operands, expected: Outcome, then: [StateSetting]) {
        self.name = name
        self.file = file
        self.line = line
        self.citation = citation
        self.base = base
        self.given = given
        self.instruction = instruction
        self.operands = operands
        self.expected = expected
        self.then = then
    }

    /// The state the instruction starts from on a CPU with these capabilities; throws when a
    /// `given` setting cannot apply to it.
    public func initialState(_ capabilities: VMXCapabilityMSRs) throws(SettingError) -> MachineState {
        var state = base.state(capabilities)
        for setting in given { try setting.apply(to: &state) }
        return state
    }
}
