/// KVM_EXIT_* values of `struct kvm_run.exit_reason` (Linux include/uapi/linux/kvm.h) that an
/// x86 guest can produce; the raw value is the kernel's number and `name` the spelling reports
/// use (the macro name without prefix, lower-cased).
public enum KVMExitReason: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case unknown = 0, exception = 1, io = 2, hypercall = 3, debug = 4, hlt = 5, mmio = 6
    case irqWindowOpen = 7, shutdown = 8, failEntry = 9, intr = 10, setTPR = 11, tprAccess = 12
    case nmi = 16, internalError = 17, systemEvent = 24, ioapicEOI = 26, hyperv = 27
    case x86RDMSR = 29, x86WRMSR = 30, dirtyRingFull = 31, apResetHold = 32, x86BusLock = 33, xen = 34
    case notify = 37, memoryFault = 39, tdx = 40

    /// `io`, `hlt`, `fail_entry`, ... as in GuestExit.reason.
    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .exception: "exception"
        case .io: "io"
        case .hypercall: "hypercall"
        case .debug: "debug"
        case .hlt: "hlt"
        case .mmio: "mmio"
        case .irqWindowOpen: "irq_window_open"
        case .shutdown: "shutdown"
        case .failEntry: "fail_entry"
        case .intr: "intr"
        case .setTPR: "set_tpr"
        case .tprAccess: "tpr_access"
        case .nmi: "nmi"
        case .internalError: "internal_error"
        case .systemEvent: "system_event"
        case .ioapicEOI: "ioapic_eoi"
        case .hyperv: "hyperv"
        case .x86RDMSR: "x86_rdmsr"
        case .x86WRMSR: "x86_wrmsr"
        case .dirtyRingFull: "dirty_ring_full"
        case .apResetHold: "ap_reset_hold"
        case .x86BusLock: "x86_bus_lock"
        case .xen: "xen"
        case .notify: "notify"
        case .memoryFault: "memory_fault"
        case .tdx: "tdx"
        }
    }

    /// The reason a raw code names, spelled `exit_<code>` when KVM's header has no x86 name for it.
    public static func name(of code: UInt32) -> String {
        KVMExitReason(rawValue: code)?.name ?? "exit_\(code)"
    }
}
