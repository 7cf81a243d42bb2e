/// One kernel command-line switch that changes DMA or interrupt isolation, with what it means.
public struct IOMMUKernelSwitch: Codable, Sendable, Hashable {
    /// As written on the command line, `intel_iommu=on`.
    public var text: String
    public var meaning: String
    /// True when the switch gives up a guarantee (IOMMU off, interrupt remapping off, fake ACS,
    /// unsafe interrupts): findings say so next to every verdict it touches.
    public var weakensIsolation: Bool
    /// True when it turns DMA remapping off altogether.
    public var disablesIOMMU: Bool

    public init(text: String, meaning: String, weakensIsolation: Bool = false, disablesIOMMU: Bool = false) {
        self.text = text
        self.meaning = meaning
        self.weakensIsolation = weakensIsolation
        self.disablesIOMMU = disablesIOMMU
    }
}
