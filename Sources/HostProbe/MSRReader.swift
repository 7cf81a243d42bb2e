import Foundation
import HostModel

/// Reads model-specific registers through /dev/cpu/N/msr (pread at the MSR index). Never
/// writes. The errno of each failure is kept: ENOENT (driver not loaded) → absent,
/// EACCES/EPERM → denied, EIO (no such MSR on this CPU) → unsupported.
public enum MSRReader {
    /// - Parameter indices: the MSRs the rules declare (`EvidencePlan.msrs`, from the catalogue's
    ///   `msr` needs): there is no second list here to fall out of step with the rules.
    public static func read(root: HostRoot, cpus: [Int], indices: [UInt32]) -> MSREvidence {
        var out: [MSREvidence.CPU] = []
        for cpu in cpus {
            let fd: Int32
            switch root.openEvidence("/dev/cpu/\(cpu)/msr", device: true) {
            case .success(let opened): fd = opened
            case .failure(let f):
                let detail = "/dev/cpu/\(cpu)/msr: " + f.detail + (f.errno == ENOENT ? "; the msr driver is not loaded" : "")
                out.append(MSREvidence.CPU(cpu: cpu, reads: indices.map { MSRRead(index: $0, status: f.status, detail: detail) }))
                continue
            }
            defer { close(fd) }
            var reads: [MSRRead] = []
            for index in indices {
                var value: UInt64 = 0
                let n = withUnsafeMutableBytes(of: &value) { pread(fd, $0.baseAddress, 8, off_t(index)) }
                if n == 8 {
                    reads.append(MSRRead(index: index, status: .ok, value: value))
                } else {
                    let err = n < 0 ? errno : EIO
                    reads.append(MSRRead(index: index, status: HostRoot.status(errno: err), detail: HostRoot.describe(errno: err)))
                }
            }
            out.append(MSREvidence.CPU(cpu: cpu, reads: reads))
        }
        return MSREvidence(source: "/dev/cpu/N/msr", cpus: out)
    }
}
