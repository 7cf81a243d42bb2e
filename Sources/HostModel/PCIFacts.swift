/// The report's `pci` section: every function, decoded and judged for assignment.
public struct PCIFacts: Codable, Sendable, Hashable {
    /// How the bus was read (`absent` on a host without PCI, e.g. some microVMs).
    public var status: EvidenceStatus
    public var detail: String?
    public var devices: [PCIDeviceFacts]

    public init(status: EvidenceStatus, detail: String? = nil, devices: [PCIDeviceFacts]) {
        self.status = status
        self.detail = detail
        self.devices = devices
    }

    public func device(_ address: String) -> PCIDeviceFacts? { devices.first { $0.address == address } }
}

extension PCIFacts {
    /// No PCI evidence in the input.
    public static let notCollected = PCIFacts(status: .absent, detail: "PCI evidence was not collected", devices: [])
}
