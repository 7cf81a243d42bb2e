/// Why the differential run produced no comparison at all (the child could not run).
public struct DifferentialError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
