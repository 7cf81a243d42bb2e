/// What a function's config space says about assignment: the capability lists walked from
/// the header (PCI Local Bus 3.0 §6.7; PCIe Base 4.0 §7.5–7.9). A capability that could not be
/// reached because only part of config space was readable is reported through `configBytes`,
/// never as absent.
public struct PCICapabilities: Codable, Sendable, Hashable {
    /// PCI Express capability (ID 10h).
    public struct Express: Codable, Sendable, Hashable {
        /// Device/Port Type (PCIe Express Capabilities register bits 7:4) by name: `endpoint`,
        /// `legacy-endpoint`, `root-port`, `upstream-port`, `downstream-port`, `pcie-to-pci-bridge`,
        /// `pci-to-pcie-bridge`, `rc-integrated-endpoint`, `rc-event-collector`, or `type-N`.
        public var portType: String
        /// Device Capabilities bit 28: Function Level Reset.
        public var flr: Bool
        /// Device Capabilities bits 2:0, in bytes (128 << n).
        public var maxPayload: Int
        /// Link Capabilities: max speed in GT/s and width (lanes); nil for functions without a link.
        public var linkSpeed: String?
        public var linkWidth: Int?

        public init(portType: String, flr: Bool, maxPayload: Int, linkSpeed: String?, linkWidth: Int?) {
            self.portType = portType
            self.flr = flr
            self.maxPayload = maxPayload
            self.linkSpeed = linkSpeed
            self.linkWidth = linkWidth
        }
    }

    /// The seven ACS controls (PCIe Base 4.0 §7.7.8): which peer-to-peer paths a port can force
    /// up to the IOMMU. Used for the capability and the control register alike.
    public struct ACSBits: Codable, Sendable, Hashable {
        public var sourceValidation: Bool
        public var translationBlocking: Bool
        public var requestRedirect: Bool
        public var completionRedirect: Bool
        public var upstreamForwarding: Bool
        public var egressControl: Bool
        public var directTranslated: Bool

        public init(register: UInt16) {
            sourceValidation = register & 1 != 0
            translationBlocking = register & 2 != 0
            requestRedirect = register & 4 != 0
            completionRedirect = register & 8 != 0
            upstreamForwarding = register & 0x10 != 0
            egressControl = register & 0x20 != 0
            directTranslated = register & 0x40 != 0
        }

        /// What Linux requires for isolation (`REQ_ACS_FLAGS`): SV, RR, CR, UF.
        public var isolates: Bool { sourceValidation && requestRedirect && completionRedirect && upstreamForwarding }

        /// `SV+ TB- RR+ ...`, as lspci prints it.
        public var text: String {
            [("SV", sourceValidation), ("TB", translationBlocking), ("RR", requestRedirect), ("CR", completionRedirect),
             ("UF", upstreamForwarding), ("EC", egressControl), ("DT", directTranslated)]
                .map { $0.0 + ($0.1 ? "+" : "-") }.joined(separator: " ")
        }
    }

    public struct ACS: Codable, Sendable, Hashable {
        public var capability: ACSBits
        public var control: ACSBits

        public init(capability: ACSBits, control: ACSBits) {
            self.capability = capability
            self.control = control
        }
    }

    public struct MSI: Codable, Sendable, Hashable {
        /// Multiple Message Capable: vectors the function can request.
        public var vectors: Int
        public var address64: Bool
        public var enabled: Bool

        public init(vectors: Int, address64: Bool, enabled: Bool) {
            self.vectors = vectors
            self.address64 = address64
            self.enabled = enabled
        }
    }

    public struct MSIX: Codable, Sendable, Hashable {
        public var tableSize: Int
        public var enabled: Bool

        public init(tableSize: Int, enabled: Bool) {
            self.tableSize = tableSize
            self.enabled = enabled
        }
    }

    public struct SRIOV: Codable, Sendable, Hashable {
        public var totalVfs: Int
        public var initialVfs: Int

        public init(totalVfs: Int, initialVfs: Int) {
            self.totalVfs = totalVfs
            self.initialVfs = initialVfs
        }
    }

    /// How many bytes of config space were read: 64 (non-root), 256 (conventional) or 4096.
    public var configBytes: Int
    /// The standard list could be walked (≥ 256 bytes read, or the list ended below 64).
    public var standardRead: Bool
    /// The extended list (offset 100h on) could be walked: 4096 bytes read.
    public var extendedRead: Bool
    public var express: Express?
    /// Advanced Features capability (ID 13h) with its FLR bit; nil when absent.
    public var advancedFeaturesFlr: Bool?
    /// Power Management (ID 01h) PMCSR No_Soft_Reset: D3hot→D0 keeps state (true) or resets (false).
    public var pmNoSoftReset: Bool?
    public var msi: MSI?
    public var msix: MSIX?
    public var acs: ACS?
    public var ats: Bool
    public var pri: Bool
    public var pasid: Bool
    public var sriov: SRIOV?
    /// Capability IDs seen, in list order (`std:05@50`, `ext:000d@148`), so nothing is hidden.
    public var list: [String]
    /// Where the capabilities came from pasted `lspci -vv` text instead of config bytes: the lines
    /// read, as cited in findings (`lspci -vvv: 01:00.0 DevCap FLReset+`); nil for bytes.
    public var lines: [String]?

    public init(configBytes: Int, standardRead: Bool, extendedRead: Bool, express: Express? = nil,
                advancedFeaturesFlr: Bool? = nil, pmNoSoftReset: Bool? = nil, msi: MSI? = nil, msix: MSIX? = nil,
                acs: ACS? = nil, ats: Bool = false, pri: Bool = false, pasid: Bool = false, sriov: SRIOV? = nil,
                list: [String] = [], lines: [String]? = nil) {
        self.configBytes = configBytes
        self.standardRead = standardRead
        self.extendedRead = extendedRead
        self.express = express
        self.advancedFeaturesFlr = advancedFeaturesFlr
        self.pmNoSoftReset = pmNoSoftReset
        self.msi = msi
        self.msix = msix
        self.acs = acs
        self.ats = ats
        self.pri = pri
        self.pasid = pasid
        self.sriov = sriov
        self.list = list
        self.lines = lines
    }
}
