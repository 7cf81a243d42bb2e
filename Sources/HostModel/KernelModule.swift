/// A loaded kernel module (or built-in with parameters) as /sys/module shows it.
public struct KernelModule: Codable, Sendable, Hashable {
    public struct Parameter: Codable, Sendable, Hashable {
        public var name: String
        /// The value as read, trimmed; nil when it could not be read (some are root-only).
        public var value: String?
        public var status: EvidenceStatus

        public init(name: String, value: String?, status: EvidenceStatus = .ok) {
            self.name = name
            self.value = value
            self.status = status
        }
    }

    public var name: String
    public var parameters: [Parameter]

    public init(name: String, parameters: [Parameter]) {
        self.name = name
        self.parameters = parameters
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}
