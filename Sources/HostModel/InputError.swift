/// Evidence a user handed us (`--from`, `--root`, vectors, policies) that cannot be used.
/// Always reported as one line on stderr with exit code 2.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(path):\($0)" } ?? path
        return "\(location): \(message)"
    }
}
