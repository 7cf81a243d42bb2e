import CShims
import HostModel

extension GuestExit {
    /// KVM_EXIT_* codes from <linux/kvm.h> by name (without prefix, lower-cased), for the exits a
    /// test guest on x86 can produce; other codes are reported as `exit_<code>`.
    static let reasonNames: [UInt32: String] = [
        0: "unknown", 1: "exception", 2: "io", 3: "hypercall", 4: "debug", 5: "hlt", 6: "mmio",
        7: "irq_window_open", 8: "shutdown", 9: "fail_entry", 10: "intr", 11: "set_tpr",
        12: "tpr_access", 16: "nmi", 17: "internal_error", 24: "system_event", 26: "ioapic_eoi",
        27: "hyperv", 29: "x86_rdmsr", 30: "x86_wrmsr", 31: "dirty_ring_full", 34: "xen",
        37: "notify", 39: "memory_fault",
    ]

    /// The exit KVM_RUN left in the shared kvm_run page, with the fields that explain it.
    init(run: UnsafePointer<kvm_run>) {
        let code = run.pointee.exit_reason
        let name = GuestExit.reasonNames[code] ?? "exit_\(code)"
        switch code {
        case 2:
            let io = vc_kvm_run_io(run)
            self.init(reason: name, code: Int(code), port: Int(io.port), size: Int(io.size),
                      direction: io.direction == 1 ? "out" : "in",
                      value: io.direction == 1 ? io.value : nil,
                      detail: io.count == 1 ? nil : "count \(io.count)")
        case 9:
            let reason = vc_kvm_run_fail_entry_reason(run)
            self.init(reason: name, code: Int(code),
                      detail: "hardware_entry_failure_reason 0x\(String(reason, radix: 16)) on cpu \(vc_kvm_run_fail_entry_cpu(run))")
        case 17:
            let ndata = vc_kvm_run_internal_ndata(run)
            let words = (0..<min(ndata, 4)).map { "0x" + String(vc_kvm_run_internal_data(run, $0), radix: 16) }
            self.init(reason: name, code: Int(code),
                      detail: "suberror \(vc_kvm_run_internal_suberror(run))"
                          + (words.isEmpty ? "" : " data " + words.joined(separator: " ")))
        default:
            self.init(reason: name, code: Int(code))
        }
    }
}
