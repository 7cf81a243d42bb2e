/// VMX-abort indicators (SDM Vol.3C 28.7 "VMX Aborts"), written to bytes 4-7 of the VMCS region.
/// Indicator 6 is listed by the SDM's 2008 edition (Vol.3B 23.7: "The logical processor was in
/// IA-32e mode before the VM exit and the \"host address-space size\" VM-exit control was 0").
/// The model produces 1, 2, 4 and 6. It cannot produce 3 or 5: its VMCS changes only through
/// the instructions it models, so it is never "corrupted", and it has no machine checks (KVM
/// used 3 only for its own failure to restore L1's CR3 without EPT, since removed; Linux's uapi
/// vmx.h names 1-4). Where a current SDM edition lists 6 could not be confirmed: the search
/// corpus holds no current copy of 28.7.
public enum VMXAbortIndicator: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case savingGuestMSRs = 1, hostPDPTEs = 2, currentVMCSCorrupted = 3, loadingHostMSRs = 4, machineCheck = 5
    case ia32eModeWithoutHostAddressSpaceSize = 6
}
