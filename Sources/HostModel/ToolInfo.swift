/// The program that wrote a snapshot or a report.
public struct ToolInfo: Codable, Sendable, Hashable {
    public var name: String
    public var version: String

    public init(name: String = "virtcheck", version: String = ToolInfo.currentVersion) {
        self.name = name
        self.version = version
    }

    /// The version of this build; bumped with each release.
    public static let currentVersion = "0.1.0"
}
