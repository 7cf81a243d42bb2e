/// Interruption types of the VM-entry interruption-information field, bits 10:8 (SDM Vol.3C
/// 25.8.3 Table 25-17, "Format of the VM-Entry Interruption-Information Field"; 24.8.3 Table
/// 24-13 in editions before 2021). VM entry rejects 1 on every processor and 7 where the "monitor
/// trap flag" control cannot be 1 (SDM 27.2.1.3).
public enum VMXInterruptionType: UInt8, Codable, Sendable, Hashable, CaseIterable {
    case externalInterrupt = 0, reserved = 1, nmi = 2, hardwareException = 3, softwareInterrupt = 4
    case privilegedSoftwareException = 5, softwareException = 6, otherEvent = 7

    /// The types VM entry delivers with the VM-entry instruction length (SDM 27.2.1.3: software
    /// interrupt, privileged software exception, software exception).
    public var usesInstructionLength: Bool {
        switch self {
        case .softwareInterrupt, .privilegedSoftwareException, .softwareException: true
        case .externalInterrupt, .reserved, .nmi, .hardwareException, .otherEvent: false
        }
    }

    /// The exception vectors that push an error code (SDM 27.2.1.3: 8 #DF, 10 #TS, 11 #NP,
    /// 12 #SS, 13 #GP, 14 #PF, 17 #AC).
    public static let errorCodeVectors: Set<UInt8> = [8, 10, 11, 12, 13, 14, 17]
}
