import FoundationEssentials
import Glibc
import HostModel

/// Reads model-specific registers through /dev/cpu/N/msr (pread at the MSR index). Never
/// writes. The errno of each failure is kept: ENOENT (driver not loaded) → absent,
/// EACCES/EPERM → denied, EIO (no such MSR on this CPU) → unsupported.
public enum MSRReader {
    /// How long the reads of all CPUs may take. Each read is an IPI to that CPU; 8192 CPUs × 22
    /// MSRs take well under this on a healthy host, and a CPU that does not answer must not hold
    /// the probe. The CPUs not reached by then are recorded as not read (virtcheck's own limit).
    public static let deadline: Duration = .seconds(10)

    /// - Parameters:
    ///   - cpus: every online CPU (at most `InputLimits.maxCpus`): KVM checks each, so the rules
    ///     compare each (`MSRComparison`).
    ///   - indices: the MSRs the rules declare (`EvidencePlan.msrs`, from the catalogue's `msr`
    ///     needs): there is no second list here to fall out of step with the rules.
    public static func read(root: HostRoot, cpus: [Int], indices: [UInt32], deadline: Duration = deadline) -> MSREvidence {
        let clock = ContinuousClock()
        let stop = clock.now.advanced(by: deadline)
        var out: [MSREvidence.CPU] = []
        for (position, cpu) in cpus.enumerated() {
            if clock.now >= stop {
                let detail = "not read: virtcheck stopped reading MSRs after \(deadline) (its own deadline), \(cpus.count - position) CPUs short"
                out.append(contentsOf: cpus[position...].map { MSREvidence.CPU(cpu: $0, reads: indices.map { MSRRead(index: $0, status: .error, detail: detail) }) })
                break
            }
            let fd: Int32
            switch root.openEvidence("/dev/cpu/\(cpu)/msr", device: true) {
            case .success(let opened): fd = opened
            case .failure(let f):
                let detail = "/dev/cpu/\(cpu)/msr: " + f.detail + (f.errno == ENOENT ? "; the msr driver is not loaded" : "")
                out.append(MSREvidence.CPU(cpu: cpu, reads: indices.map { MSRRead(index: $0, status: f.status, detail: detail) }))
                // The first CPU's node missing or refused says the same of every CPU (no msr
                // driver, not root): one record, not thousands of copies of it.
                if position == 0, f.status == .absent || f.status == .denied { return MSREvidence(source: "/dev/cpu/N/msr", cpus: out) }
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
