import HostModel
import VirtCheckData

/// A field of a VMX capability MSR that the decoder reads. The positions are facts kept in
/// `Data/tables/vmx_msr_bits.tsv` (with their sources); the SDM's rules about which MSR exists
/// and applies when stay in `VMXDecoder`, where they can be read as code.
///
/// Control bits (`pin.*`, `primary.*`, `secondary.*`) are positions in a 32-bit control word, to
/// be tested against `VMXFacts.AllowedSettings`; every other field is a bit range of the MSR.
enum VMXBit: String, CaseIterable {
    case featureControlLocked = "featureControl.locked"
    case featureControlVmxInsideSmx = "featureControl.vmxInsideSmx"
    case featureControlVmxOutsideSmx = "featureControl.vmxOutsideSmx"

    case basicRevisionId = "basic.revisionId"
    case basicVmcsSize = "basic.vmcsSize"
    case basicPhysicalAddressWidth32 = "basic.physicalAddressWidth32"
    case basicDualMonitor = "basic.dualMonitor"
    case basicMemoryType = "basic.memoryType"
    case basicInsOutsInfo = "basic.insOutsInfo"
    case basicTrueControls = "basic.trueControls"
    case basicNoErrorCodeRequirement = "basic.noErrorCodeRequirement"

    case pinPreemptionTimer = "pin.preemptionTimer"
    case pinPostedInterrupts = "pin.postedInterrupts"
    case primaryTertiaryControls = "primary.tertiaryControls"
    case primarySecondaryControls = "primary.secondaryControls"
    case secondaryEpt = "secondary.ept"
    case secondaryVpid = "secondary.vpid"
    case secondaryUnrestrictedGuest = "secondary.unrestrictedGuest"
    case secondaryApicRegisterVirtualization = "secondary.apicRegisterVirtualization"
    case secondaryVirtualInterruptDelivery = "secondary.virtualInterruptDelivery"
    case secondaryVmfunc = "secondary.vmfunc"
    case secondaryVmcsShadowing = "secondary.vmcsShadowing"
    case secondaryPml = "secondary.pml"
    case secondaryMbec = "secondary.mbec"
    case secondaryTscScaling = "secondary.tscScaling"

    case miscPreemptionTimerRate = "misc.preemptionTimerRate"
    case miscStoresLma = "misc.storesLma"
    case miscActivityHlt = "misc.activityHlt"
    case miscActivityShutdown = "misc.activityShutdown"
    case miscActivityWaitForSipi = "misc.activityWaitForSipi"
    case miscProcessorTraceInVmx = "misc.processorTraceInVmx"
    case miscSmbaseReadInSmm = "misc.smbaseReadInSmm"
    case miscCr3TargetCount = "misc.cr3TargetCount"
    case miscMsrListLimit = "misc.msrListLimit"
    case miscVmxoffBlocksSmi = "misc.vmxoffBlocksSmi"
    case miscVmwriteAnyField = "misc.vmwriteAnyField"
    case miscZeroLengthInjection = "misc.zeroLengthInjection"
    case miscMsegRevisionId = "misc.msegRevisionId"

    case vmcsEnumHighestIndex = "vmcsEnum.highestIndex"

    case eptExecuteOnly = "eptVpid.executeOnly"
    case eptPageWalk4 = "eptVpid.pageWalk4"
    case eptPageWalk5 = "eptVpid.pageWalk5"
    case eptUncacheable = "eptVpid.uncacheable"
    case eptWriteBack = "eptVpid.writeBack"
    case eptPages2m = "eptVpid.pages2m"
    case eptPages1g = "eptVpid.pages1g"
    case eptInvept = "eptVpid.invept"
    case eptAccessedDirty = "eptVpid.accessedDirty"
    case eptAdvancedExitInfo = "eptVpid.advancedExitInfo"
    case eptInveptSingleContext = "eptVpid.inveptSingleContext"
    case eptInveptAllContext = "eptVpid.inveptAllContext"
    case vpidInvvpid = "eptVpid.invvpid"
    case vpidInvvpidIndividualAddress = "eptVpid.invvpidIndividualAddress"
    case vpidInvvpidSingleContext = "eptVpid.invvpidSingleContext"
    case vpidInvvpidAllContext = "eptVpid.invvpidAllContext"
    case vpidInvvpidSingleContextRetainingGlobals = "eptVpid.invvpidSingleContextRetainingGlobals"

    /// One row of the table: the MSR index and the bit range.
    struct Position: Hashable {
        var msr: UInt32
        var low: Int
        var width: Int
    }

    /// The table, parsed once. A row that is missing or malformed is a build defect (the table is
    /// ours and a test checks every case against it), so it stops the program rather than guess.
    static let positions: [VMXBit: Position] = {
        var out: [VMXBit: Position] = [:]
        for row in DataTables.vmxMsrBits.rows {
            guard let key = row["key"], let bit = VMXBit(rawValue: key) else { continue }
            out[bit] = row["msr"].flatMap { msr in row["bits"].flatMap { parse(msr: msr, bits: $0) } }
        }
        return out
    }()

    static func parse(msr: String, bits: String) -> Position? {
        guard msr.hasPrefix("0x"), let index = UInt32(msr.dropFirst(2), radix: 16) else { return nil }
        let parts = bits.split(ascii: ":").map { Int($0) }
        switch parts.count {
        case 1:
            guard let bit = parts[0], (0..<64).contains(bit) else { return nil }
            return Position(msr: index, low: bit, width: 1)
        case 2:
            guard let high = parts[0], let low = parts[1], 0 <= low, low <= high, high < 64 else { return nil }
            return Position(msr: index, low: low, width: high - low + 1)
        default:
            return nil
        }
    }

    var position: Position {
        guard let p = Self.positions[self] else { preconditionFailure("vmx_msr_bits.tsv has no valid row \(rawValue)") }
        return p
    }

    /// The field's value in a raw MSR value.
    func field(_ value: UInt64) -> UInt64 {
        let p = position
        let mask: UInt64 = p.width == 64 ? .max : (1 << UInt64(p.width)) - 1
        return value >> UInt64(p.low) & mask
    }

    func isSet(_ value: UInt64) -> Bool { field(value) != 0 }

    /// Whether a control word may set this control to 1.
    func allowed(in settings: VMXFacts.AllowedSettings) -> Bool { settings.allows(position.low) }
}
