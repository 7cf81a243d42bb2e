/// VMX-abort indicators (SDM Vol.3C 28.7 "VMX Aborts"), written to bytes 4-7 of the VMCS region.
public enum VMXAbortIndicator: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case savingGuestMSRs = 1, hostPDPTRs = 2, currentVMCSCorrupted = 3, loadingHostMSRs = 4, machineCheck = 5
}
