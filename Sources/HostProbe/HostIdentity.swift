import HostModel

/// Which CPU a piece of captured evidence says it came from: the vendor string, display family
/// and model, and how many logical CPUs it lists. `OfflineLoader` compares the identities of the
/// files given for one host: an AMD `cpuid -r` dump beside an Intel cpuinfo is two machines, and
/// merging them would describe neither.
struct HostIdentity: Sendable, Hashable {
    /// The file it was read from, for the message.
    var source: String
    var vendor: String?
    var family: Int?
    var model: Int?
    /// Logical CPUs listed, where the evidence lists them all: cpuinfo always does; a dump only
    /// when it holds more than one CPU (a `cpuid -1 -r` dump of one CPU says nothing of the count).
    var cpus: Int?

    /// CPUID.0 (vendor: EBX, EDX, ECX) and CPUID.1:EAX of the first CPU, decoded as the SDM and
    /// APM define the display family and model (extended model counts for families 6 and 15).
    init(dump: CPUIDEvidence, source: String) {
        self.source = source
        cpus = dump.cpus.count > 1 ? dump.cpus.count : nil
        guard let first = dump.cpus.first else { return }
        if let zero = first.leaf(0) {
            let bytes = [zero.ebx, zero.edx, zero.ecx].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
            let text = String(decoding: bytes, as: UTF8.self)
            if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { vendor = text }
        }
        if let one = first.leaf(1) {
            let base = Int(one.eax >> 8 & 0xF), extFamily = Int(one.eax >> 20 & 0xFF)
            let baseModel = Int(one.eax >> 4 & 0xF), extModel = Int(one.eax >> 16 & 0xF)
            family = base == 0xF ? base + extFamily : base
            model = base == 0x6 || base == 0xF ? extModel << 4 | baseModel : baseModel
        }
    }

    init(cpuinfo: CPUInfo, source: String) {
        self.source = source
        cpus = cpuinfo.processors.count
        let first = cpuinfo.processors.first
        vendor = first?.value("vendor_id")
        family = first?.value("cpu family").flatMap { Int($0) }
        model = first?.value("model").flatMap { Int($0) }
    }

    init(lscpu: LSCPU, source: String) {
        self.source = source
        vendor = lscpu.value("Vendor ID")
        family = lscpu.value("CPU family").flatMap { Int($0) }
        model = lscpu.value("Model").flatMap { Int($0) }
    }

    /// Why `self` and `other` cannot be one host, or nil when nothing they both say disagrees.
    func conflict(with other: HostIdentity) -> String? {
        if let a = vendor, let b = other.vendor, a != b {
            return "\(source) says CPU vendor \(a) but \(other.source) says \(b): two hosts' evidence; give one host's files"
        }
        if let af = family, let am = model, let bf = other.family, let bm = other.model, af != bf || am != bm {
            return "\(source) says CPU family \(af) model \(am) but \(other.source) says family \(bf) model \(bm): two hosts' evidence; give one host's files"
        }
        if let a = cpus, let b = other.cpus, a != b {
            return "\(source) lists \(a) CPUs but \(other.source) lists \(b): two hosts' evidence; give one host's files"
        }
        return nil
    }
}
