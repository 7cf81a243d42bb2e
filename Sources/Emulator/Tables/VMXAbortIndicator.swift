/// VMX-abort indicators (SDM Vol.3C 28.7 "VMX Aborts"), written to bytes 4-7 of the VMCS region.
/// Indicator 6 is listed by the SDM's 2008 edition (Vol.3B 23.7: "The logical processor was in
/// IA-32e mode before the VM exit and the \"host address-space size\" VM-exit control was 0").
/// The model produces 1, 2, 4 and 6; a corrupted VMCS (3) and machine checks (5) are events it
/// does not model.
public enum VMXAbortIndicator: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case savingGuestMSRs = 1, hostPDPTEs = 2, currentVMCSCorrupted = 3, loadingHostMSRs = 4, machineCheck = 5
    case ia32eModeWithoutHostAddressSpaceSize = 6
}
