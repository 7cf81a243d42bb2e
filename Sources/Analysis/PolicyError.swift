/// Why a policy file is unusable: where in the document (`rules["cpu.eptt"]`, `profiles[2]`,
/// `strict`, or `line:column` for YAML syntax) and what is wrong, printed as one line.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
