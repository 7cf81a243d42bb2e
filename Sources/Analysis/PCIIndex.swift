import HostModel

/// The PCI functions by address, bus and IOMMU group, built once per assessment. Each per-device
/// rule looks at every member of the device's group, its bus and the bridges above it; a linear
/// search per lookup and an address split per pair made that cubic in the functions of one
/// group (a snapshot with 1,000 functions in one group took 170 s, one with 4,096 hours).
struct PCIIndex {
    let devices: [PCIDeviceFacts]
    private let positions: [String: Int]
    private let groupsByNumber: [Int: IOMMUFacts.Group]
    /// Bus key and slot of every device and group member, split once.
    private let places: [String: (bus: String?, slot: String)]
    /// Positions of the devices on each bus.
    private let onBus: [String: [Int]]
    /// Addresses of the PCI-to-PCI bridges (class parsed once, not per group member and device).
    private let bridges: Set<String>

    init(pci: PCIFacts, iommu: IOMMUFacts) {
        devices = pci.devices
        // The first of duplicates wins, as the linear searches this replaces found the first.
        positions = Dictionary(pci.devices.enumerated().map { ($1.address, $0) }, uniquingKeysWith: { first, _ in first })
        groupsByNumber = Dictionary(iommu.groups.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        var places: [String: (bus: String?, slot: String)] = [:]
        for address in pci.devices.map(\.address) + iommu.groups.flatMap(\.devices) where places[address] == nil {
            places[address] = (PCIDecoder.busKey(address), PassthroughRules.slot(address))
        }
        self.places = places
        var onBus: [String: [Int]] = [:]
        for (i, d) in pci.devices.enumerated() {
            if let bus = places[d.address]?.bus { onBus[bus, default: []].append(i) }
        }
        self.onBus = onBus
        bridges = Set(pci.devices.filter(\.isPCIBridge).map(\.address))
    }

    /// Whether the function at `address` is a PCI-to-PCI bridge (false when it is not listed).
    func isPCIBridge(_ address: String) -> Bool { bridges.contains(address) }

    func device(_ address: String) -> PCIDeviceFacts? { positions[address].map { devices[$0] } }

    func group(_ number: Int) -> IOMMUFacts.Group? { groupsByNumber[number] }

    /// `PCIDecoder.busKey` of a device or group member.
    func busKey(_ address: String) -> String? { places[address].map(\.bus) ?? PCIDecoder.busKey(address) }

    /// `PassthroughRules.slot` of a device or group member.
    func slot(_ address: String) -> String { places[address]?.slot ?? PassthroughRules.slot(address) }

    /// The devices whose bus key is `bus`, in their order.
    func devices(onBus bus: String) -> [PCIDeviceFacts] { (onBus[bus] ?? []).map { devices[$0] } }
}
