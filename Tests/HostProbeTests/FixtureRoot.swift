import Analysis
import Foundation
import HostModel
import HostProbe

/// A fixture tree under Fixtures/roots, probed through the live code and analysed.
struct FixtureRoot {
    let iommuEvidence: IOMMUEvidence
    let pciEvidence: PCIEvidence
    let iommu: IOMMUFacts
    let result: PassthroughRules.Result

    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/roots/\(name)").path
    }

    init(_ name: String, cpuVendor: String? = nil, edit: (inout IOMMUEvidence, inout PCIEvidence) -> Void = { _, _ in }) {
        self.init(root: HostRoot(path: FixtureRoot.path(name), isLive: false), cpuVendor: cpuVendor, edit: edit)
    }

    init(root: HostRoot, cpuVendor: String? = nil, edit: (inout IOMMUEvidence, inout PCIEvidence) -> Void = { _, _ in }) {
        var iommuEvidence = IOMMUProbe.probe(root: root)
        var pciEvidence = PCIProbe.probe(root: root)
        edit(&iommuEvidence, &pciEvidence)
        self.iommuEvidence = iommuEvidence
        self.pciEvidence = pciEvidence
        iommu = IOMMUDecoder.facts(iommu: iommuEvidence, pci: pciEvidence, cpuVendor: cpuVendor)
        result = PassthroughRules.assess(iommu: iommu, pci: PCIDecoder.facts(pci: pciEvidence, iommu: iommu))
    }

    func finding(_ id: String, _ subject: String? = nil) -> Finding? {
        result.findings.first { $0.id == id && $0.subject == subject }
    }

    func verdict(_ address: String) -> PassthroughVerdict? { result.pci.device(address)?.passthrough }
    func device(_ address: String) -> PCIDeviceFacts? { result.pci.device(address) }
}
