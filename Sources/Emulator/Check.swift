/// One row of an instruction's check list: a named condition from the SDM/APM pseudocode and
/// what happens when it holds. The first check whose condition holds decides the outcome, so the
/// order of the list is the priority the manuals give.
public struct Check: Sendable {
    /// Stable name, `instruction.what` (for mutation reports).
    public var name: String
    /// The manual row it implements, e.g. "SDM VMXON row 2".
    public var source: String
    public var condition: @Sendable (MachineState, Operands) -> Bool
    public var step: Step

    public init(_ name: String, _ source: String, _ step: Step,
                when condition: @escaping @Sendable (MachineState, Operands) -> Bool) {
        self.name = name
        self.source = source
        self.condition = condition
        self.step = step
    }
}
