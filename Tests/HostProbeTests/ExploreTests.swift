import Analysis
import HostProbe
import Testing

@Test(arguments: ["kvm-guest-no-iommu", "intel-desktop-gpu", "amd-ryzen-chipset-group", "intel-server-multi-dmar", "nonroot-intel-desktop", "malformed-intel-server", "LIVE"])
func explore(_ name: String) {
    let f = name == "LIVE" ? FixtureRoot(root: .live) : FixtureRoot(name)
    print("=== \(name)")
    for l in PassthroughTable.lines(iommu: f.iommu, pci: f.result.pci) { print(l) }
    for x in f.result.findings where x.subject == nil { print("\(x.id) \(x.status): \(x.summary)") }
    print("errors: \(f.iommu.errors) acpi: \(f.iommu.acpi)")
    for d in f.result.pci.devices where !d.errors.isEmpty { print("\(d.address) errors: \(d.errors)") }
}
