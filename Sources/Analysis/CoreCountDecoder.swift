import HostModel

/// Counts processor cores from what the input gives, best first: lscpu (`Core(s) per socket` ×
/// `Socket(s)`), cpuinfo (`cpu cores` × distinct `physical id`), then CPUID, which gives cores per
/// package only (SDM Vol.2A CPUID leaf 0BH and leaf 04H EAX[31:26]; APM Vol.3 Fn8000_0008_ECX[7:0]
/// NC and Fn8000_001E_EBX[15:8] threads per core).
enum CoreCountDecoder {
    static func decode(table: CPUIDTable?, vendor: String?, cpuinfo: CPUInfo?, lscpu: LSCPU?) -> CoreCount? {
        if let perSocket = lscpu?.value("Core(s) per socket").flatMap({ Int($0) }), perSocket > 0,
           let sockets = lscpu?.value("Socket(s)").flatMap({ Int($0) }), sockets > 0 {
            return CoreCount(coresPerPackage: perSocket, packages: sockets, source: "lscpu",
                             detail: "Core(s) per socket \(perSocket), Socket(s) \(sockets)")
        }
        if let processors = cpuinfo?.processors, let perPackage = processors.first?.value("cpu cores").flatMap({ Int($0) }), perPackage > 0 {
            let ids = Set(processors.compactMap { $0.value("physical id") })
            return CoreCount(coresPerPackage: perPackage, packages: ids.isEmpty ? nil : ids.count, source: "/proc/cpuinfo",
                             detail: "cpu cores \(perPackage)" + (ids.isEmpty ? "" : ", \(ids.count) physical id\(ids.count == 1 ? "" : "s")"))
        }
        guard let table, let perPackage = coresPerPackage(table, amd: ["AuthenticAMD", "HygonGenuine"].contains(vendor ?? "")) else { return nil }
        return CoreCount(coresPerPackage: perPackage.cores, packages: nil, source: "CPUID", detail: perPackage.how)
    }

    /// Cores in one package from CPUID, with the leaf that said so.
    static func coresPerPackage(_ t: CPUIDTable, amd: Bool) -> (cores: Int, how: String)? {
        let htt = t.bit(leaf: 1, register: "edx", bit: 28)
        if amd {
            if t.maxExtendedLeaf >= 0x8000_0008, let ecx = t.leaf(0x8000_0008)?.ecx {
                let threads = Int(ecx & 0xFF) + 1
                if t.maxExtendedLeaf >= 0x8000_001E, let ebx = t.leaf(0x8000_001E)?.ebx, (t.leaf(1)?.eax).map({ ($0 >> 8) & 0xF == 0xF && ($0 >> 20) & 0xFF >= 8 }) == true {
                    let perCore = Int((ebx >> 8) & 0xFF) + 1
                    return (max(1, threads / perCore), "CPUID 80000008H:ECX[7:0] \(threads) threads, 8000001EH:EBX[15:8] \(perCore) per core")
                }
                return (threads, "CPUID 80000008H:ECX[7:0] NC+1 = \(threads)")
            }
        } else if t.maxBasicLeaf >= 0xB, (t.leaf(0xB)?.ebx ?? 0) & 0xFFFF != 0 {
            var threadsPerCore: Int?, threadsPerPackage: Int?
            for subleaf in UInt32(0)..<8 {
                guard let l = t.leaf(0xB, subleaf: subleaf), (l.ecx >> 8) & 0xFF != 0 else { break }
                switch (l.ecx >> 8) & 0xFF {
                case 1: threadsPerCore = Int(l.ebx & 0xFFFF)
                default: threadsPerPackage = Int(l.ebx & 0xFFFF)
                }
            }
            if let core = threadsPerCore, core > 0, let package = threadsPerPackage {
                return (max(1, package / core), "CPUID 0BH: \(package) logical per package, \(core) per core")
            }
        } else if t.maxBasicLeaf >= 4, let eax = t.leaf(4)?.eax, eax & 0x1F != 0 {
            let cores = Int((eax >> 26) & 0x3F) + 1
            return (cores, "CPUID 04H:EAX[31:26] + 1 = \(cores)")
        }
        if htt == false { return (1, "CPUID 01H:EDX[28] HTT clear: one logical processor per package") }
        return nil
    }
}
