import CShims
import FoundationEssentials
import Glibc
import HostModel

/// Executes the sensitive and privileged instructions of Data/tables/popek_goldberg.tsv at CPL3
/// and reads what happened. It installs fault handlers for the whole process, so it runs only in
/// a child, never in virtcheck itself: first in the guest-run child (`Cpl3ProbeSupervisor`), or
/// alone in `virtcheck __cpl3-probe`.
public enum Cpl3Prober {
    /// Probe name, the CShims probe number, and the table's instruction name.
    static let probes: [(name: String, id: Int32, instruction: String)] = [
        ("sgdt", Int32(VC_PROBE_SGDT), "SGDT"), ("sidt", Int32(VC_PROBE_SIDT), "SIDT"),
        ("sldt", Int32(VC_PROBE_SLDT), "SLDT"), ("str", Int32(VC_PROBE_STR), "STR"),
        ("smsw", Int32(VC_PROBE_SMSW), "SMSW"), ("pushf", Int32(VC_PROBE_PUSHF), "PUSHF"),
        ("popf", Int32(VC_PROBE_POPF), "POPF"), ("mov-cs", Int32(VC_PROBE_MOV_CS), "MOV from Sreg"),
        ("mov-ss", Int32(VC_PROBE_MOV_SS), "MOV from Sreg"), ("lar", Int32(VC_PROBE_LAR), "LAR"),
        ("lsl", Int32(VC_PROBE_LSL), "LSL"), ("verr", Int32(VC_PROBE_VERR), "VERR"),
        ("verw", Int32(VC_PROBE_VERW), "VERW"), ("cpuid", Int32(VC_PROBE_CPUID), "CPUID"),
        ("rdtsc", Int32(VC_PROBE_RDTSC), "RDTSC"), ("rdtscp", Int32(VC_PROBE_RDTSCP), "RDTSCP"),
        ("rdpmc", Int32(VC_PROBE_RDPMC), "RDPMC"), ("hlt", Int32(VC_PROBE_HLT), "HLT"),
        ("rdmsr", Int32(VC_PROBE_RDMSR), "RDMSR"), ("lgdt", Int32(VC_PROBE_LGDT), "LGDT"),
        ("mov-cr0", Int32(VC_PROBE_MOV_CR0), "MOV CRn"), ("clts", Int32(VC_PROBE_CLTS), "CLTS"),
        ("wbinvd", Int32(VC_PROBE_WBINVD), "WBINVD"), ("in", Int32(VC_PROBE_IN), "IN/OUT"),
        ("cli", Int32(VC_PROBE_CLI), "CLI/STI"), ("vmcall", Int32(VC_PROBE_VMCALL), "VMCALL"),
        ("vmmcall", Int32(VC_PROBE_VMMCALL), "VMMCALL"),
    ]

    /// One raw observation, before it is read.
    public struct Raw: Sendable, Hashable {
        public var signal: Int32
        public var signalCode: Int32
        public var values: [UInt64]

        public init(signal: Int32, signalCode: Int32, values: [UInt64]) {
            self.signal = signal
            self.signalCode = signalCode
            self.values = values
        }
    }

    /// Runs every probe in this process and reads the results.
    public static func run() -> Cpl3ProbeEvidence {
        let (results, err) = observe()
        return evidence(results, errno: err)
    }

    /// Runs every probe in this process: each one's raw result in `probes` order, or none and the
    /// errno of the first probe that could not run (0 when all ran).
    static func observe() -> (results: [vc_cpl3_result], errno: Int32) {
        var results: [vc_cpl3_result] = []
        for probe in probes {
            var result = vc_cpl3_result()
            let err = vc_cpl3_probe(probe.id, &result)
            guard err == 0 else { return ([], err) }
            results.append(result)
        }
        return (results, 0)
    }

    /// `observe()`'s answer as the guest-run child writes it for the parent (`evidence(packed:)`):
    /// the errno as a 32-bit word, then each probe's `vc_cpl3_result` as it lies in memory
    /// (`MemoryRecords`). The child used to read the results and encode them as JSON, 1 M of its
    /// 4.9 M instructions (callgrind, issue 16); the parent now reads them.
    public static func packedObservation() -> [UInt8] {
        let (results, err) = observe()
        return MemoryRecords.bytes(of: [err]) + MemoryRecords.bytes(of: results)
    }

    /// The evidence in `packedObservation()`'s bytes; nil unless they are a whole answer: a
    /// non-zero errno alone, or a zero one and a result for every probe.
    public static func evidence(packed bytes: [UInt8]) -> Cpl3ProbeEvidence? {
        guard let err = MemoryRecords.records(Int32.self, in: bytes.prefix(4), limit: 1)?.first,
              let results = MemoryRecords.records(vc_cpl3_result.self, in: bytes.dropFirst(4), limit: probes.count),
              results.count == (err == 0 ? probes.count : 0) else { return nil }
        return evidence(results, errno: err)
    }

    /// The raw results read (`interpret`), or the probes' failure.
    static func evidence(_ results: [vc_cpl3_result], errno err: Int32) -> Cpl3ProbeEvidence {
        guard err == 0 else {
            return Cpl3ProbeEvidence(results: [], error: "CPL3 probes unavailable: \(HostRoot.describe(errno: err))")
        }
        var raw: [String: Raw] = [:]
        for (probe, result) in zip(probes, results) {
            raw[probe.name] = Raw(signal: result.signo, signalCode: result.si_code,
                                  values: [result.values.0, result.values.1, result.values.2])
        }
        return Cpl3ProbeEvidence(results: interpret(raw))
    }

    /// Linux's UMIP emulation (arch/x86/kernel/umip.c): SGDT and SIDT return these bases with
    /// limit 0; SMSW returns CR0_STATE (PE|MP|ET|NE|WP|AM|PG); STR returns GDT_ENTRY_TSS * 8;
    /// SLDT returns 0 without an LDT.
    public static let umipDummyGDTBase: UInt64 = 0xFFFF_FFFF_FFFE_0000
    public static let umipDummyIDTBase: UInt64 = 0xFFFF_FFFF_FFFF_0000
    public static let umipDummyCR0: UInt64 = 0x8005_0033
    public static let umipDummyTR: UInt64 = 0x40

    /// Reads the raw observations. A value the kernel's UMIP emulation would give counts as
    /// emulated only when SGDT or SIDT showed the emulation at work, since SMSW, STR and SLDT's
    /// dummies equal what Linux's own registers hold and cannot tell on their own.
    public static func interpret(_ raw: [String: Raw]) -> [Cpl3ProbeResult] {
        let umipSeen = raw["sgdt"].map { $0.signal == 0 && $0.values[0] == umipDummyGDTBase && $0.values[1] == 0 } == true
            || raw["sidt"].map { $0.signal == 0 && $0.values[0] == umipDummyIDTBase && $0.values[1] == 0 } == true
        return probes.compactMap { probe in
            guard let r = raw[probe.name] else { return nil }
            let hex = r.values.map { "0x" + String($0, radix: 16) }
            func result(_ outcome: Cpl3ProbeResult.Outcome, _ values: Int, _ detail: String) -> Cpl3ProbeResult {
                Cpl3ProbeResult(probe: probe.name, instruction: probe.instruction, outcome: outcome,
                                signal: nil, values: Array(hex.prefix(values)), detail: detail)
            }
            if r.signal != 0 {
                let name = signalName(r.signal)
                let fault = r.signal == SIGILL ? "#UD" : r.signal == SIGSEGV ? "#GP (or #PF)" : "a fault"
                return Cpl3ProbeResult(probe: probe.name, instruction: probe.instruction, outcome: .trapped,
                                       signal: "\(name) (si_code \(r.signalCode))", values: [],
                                       detail: "\(fault) at CPL3: the kernel delivered \(name)")
            }
            let v = r.values
            switch probe.name {
            case "sgdt", "sidt":
                let dummy = probe.name == "sgdt" ? umipDummyGDTBase : umipDummyIDTBase
                return v[0] == dummy && v[1] == 0
                    ? result(.emulated, 2, "base \(hex[0]) limit 0: Linux's UMIP dummy (arch/x86/kernel/umip.c); the real table stayed hidden")
                    : result(.native, 2, "base \(hex[0]) limit \(hex[1]): the real descriptor table leaked to CPL3")
            case "smsw", "str", "sldt":
                let dummy = probe.name == "smsw" ? umipDummyCR0 : probe.name == "str" ? umipDummyTR : 0
                if umipSeen && v[0] == dummy {
                    return result(.emulated, 1, "\(hex[0]) is Linux's UMIP dummy and SGDT/SIDT showed UMIP emulation at work")
                }
                return result(.native, 1, "\(hex[0]) read without a fault (the kernel's real value)")
            case "pushf":
                return result(.native, 1, "RFLAGS \(hex[0]): IF=\(v[0] >> 9 & 1) IOPL=\(v[0] >> 12 & 3) visible at CPL3")
            case "popf":
                let kept = v[1] >> 9 & 1 == 1
                return result(.native, 2, kept
                    ? "POPF with IF clear left IF=1 and raised no fault: the change was silently ignored (control-sensitive, unprivileged)"
                    : "POPF cleared IF at CPL3: IOPL is 3 here")
            case "mov-cs", "mov-ss":
                return result(.native, 1, "selector \(hex[0]): RPL \(v[0] & 3) reveals CPL \(v[0] & 3)")
            case "lar", "lsl":
                return result(.native, 2, "\(hex[0]), ZF=\(v[1]): descriptor checked against CPL without a fault")
            case "verr", "verw":
                return result(.native, 1, "ZF=\(v[0]) for CS: accessibility from CPL3 answered without a fault")
            case "cpuid":
                let signature = hypervisorSignature(v)
                return result(.native, 3, "leaf 0x40000000 answered at CPL3 (no CPUID faulting)"
                                  + (signature.isEmpty ? "" : ", signature \"\(signature)\""))
            case "rdtsc", "rdtscp", "rdpmc":
                return result(.native, 1, "counter read at CPL3 without a fault")
            case "vmcall", "vmmcall":
                return result(.native, 1, "no fault at CPL3: the hypervisor answered RAX=\(hex[0])")
            default:
                return result(.native, 1, "ran at CPL3 without a fault")
            }
        }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGILL: "SIGILL"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGTRAP: "SIGTRAP"
        default: "signal \(signal)"
        }
    }

    /// The 12-byte signature in EBX, ECX, EDX of leaf 0x40000000, printable characters only.
    static func hypervisorSignature(_ v: [UInt64]) -> String {
        let bytes = v.prefix(3).flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
        return String(decoding: bytes.filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
    }
}
