import CShims
import HostModel

extension GuestExit {
    /// The exit KVM_RUN left in the shared kvm_run page, with the fields that explain it.
    init(run: UnsafePointer<kvm_run>) {
        let code = run.pointee.exit_reason
        let name = KVMExitReason.name(of: code)
        switch KVMExitReason(rawValue: code) {
        case .io:
            let io = vc_kvm_run_io(run)
            self.init(reason: name, code: Int(code), port: Int(io.port), size: Int(io.size),
                      direction: io.direction == 1 ? "out" : "in",
                      value: io.direction == 1 ? io.value : nil,
                      detail: io.count == 1 ? nil : "count \(io.count)")
        case .failEntry:
            let reason = vc_kvm_run_fail_entry_reason(run)
            self.init(reason: name, code: Int(code),
                      detail: "hardware_entry_failure_reason 0x\(String(reason, radix: 16)) on cpu \(vc_kvm_run_fail_entry_cpu(run))")
        case .internalError:
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
