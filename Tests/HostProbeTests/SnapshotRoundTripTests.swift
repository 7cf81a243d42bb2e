import Analysis
import Foundation
import HostModel
import HostProbe
import Testing

/// A snapshot carries the raw PCI and IOMMU evidence; analysing it elsewhere gives the same verdicts.
@Suite struct SnapshotRoundTripTests {
    @Test func evidenceSurvivesJSONAndGivesTheSameFindings() throws {
        let f = FixtureRoot("amd-ryzen-chipset-group")
        let snapshot = Snapshot(source: SourceInfo(kind: .root, paths: [FixtureRoot.path("amd-ryzen-chipset-group")]),
                                pci: f.pciEvidence, iommu: f.iommuEvidence)
        let data = try SnapshotCoding.encoder().encode(snapshot)
        let back = try SnapshotCoding.decode(Snapshot.self, from: data)
        #expect(back == snapshot)
        let iommu = IOMMUDecoder.facts(iommu: back.iommu, pci: back.pci)
        let again = PassthroughRules.assess(iommu: iommu, pci: PCIDecoder.facts(pci: back.pci, iommu: iommu))
        #expect(again == f.result)
        let facts = try String(decoding: SnapshotCoding.encoder().encode(again.pci), as: UTF8.self)
        #expect(facts.contains("\"iommu_group\" : 15") && facts.contains("\"vendor_id\" : \"1002\""))
        #expect(facts.contains("\"reset_methods\"") && facts.contains("\"passthrough\""))
    }
}
