import HostModel

/// Popek and Goldberg's condition on this CPU: the sensitive instructions a trap-and-emulate VMM
/// cannot catch, and the features that close them (UMIP, CPUID faulting, VT-x/AMD-V). These are
/// informational (`warn` at worst): VT-x/AMD-V is what actually runs VMs, and its own rules gate.
enum PopekGoldbergRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        let pg = c.popekGoldberg
        return [sensitiveUnprivileged(c, pg), umip(c, pg), cpuidFaulting(c, pg)]
    }

    static func sensitiveUnprivileged(_ c: RuleContext, _ pg: PopekGoldbergAnalysis) -> Finding {
        let id = "pg.sensitive-unprivileged"
        var evidence = [EvidenceItem(source: "Data/tables/popek_goldberg.tsv",
                                     detail: "unprivileged sensitive instructions left: \(pg.remainingWithoutHardware.joined(separator: ", "))")]
        evidence += probeEvidence(c, pg.instructions.filter(\.gap))
        guard let holds = pg.holdsWithHardware else {
            return c.finding(id, .unknown, pg.summary, evidence: evidence, remedy: "offline")
        }
        evidence.append(c.cpuidEvidence(pg.hardwareVirtualization == "svm" ? "CPUID.80000001H:ECX[2]" : "CPUID.01H:ECX[5]",
                                        pg.hardwareVirtualization ?? "vmx"))
        if pg.holdsWithoutHardware { return c.finding(id, .pass, pg.summary, evidence: evidence) }
        return holds
            ? c.finding(id, .pass, pg.summary, evidence: evidence)
            : c.finding(id, .warn, pg.summary, evidence: evidence, remedy: "no-hardware")
    }

    static func umip(_ c: RuleContext, _ pg: PopekGoldbergAnalysis) -> Finding {
        let id = "pg.umip"
        var evidence = [c.cpuidEvidence("CPUID.(EAX=7,ECX=0):ECX[2]", "umip")]
        evidence += probeEvidence(c, pg.instructions.filter { $0.closers.contains("umip") })
        guard let umip = pg.umip else {
            return c.finding(id, .unknown, "CPUID leaf 7 was not read: whether UMIP exists is unknown.", evidence: evidence, remedy: "offline")
        }
        return umip
            ? c.finding(id, .pass, "UMIP is offered: SGDT, SIDT, SLDT, SMSW and STR fault at CPL>0 when CR4.UMIP is set.", evidence: evidence)
            : c.finding(id, .warn, "No UMIP: SGDT, SIDT, SLDT, SMSW and STR reveal the real tables and CR0 at any CPL.",
                        evidence: evidence, remedy: "absent")
    }

    static func cpuidFaulting(_ c: RuleContext, _ pg: PopekGoldbergAnalysis) -> Finding {
        let id = "pg.cpuid-faulting"
        var evidence = [EvidenceItem(source: "MSR 0xCE[31], /proc/cpuinfo flags",
                                     detail: pg.cpuidFaulting.map { $0 ? "cpuid_fault supported" : "cpuid_fault absent" } ?? "not read")]
        evidence += probeEvidence(c, pg.instructions.filter { $0.instruction == "CPUID" })
        guard let faulting = pg.cpuidFaulting else {
            return c.finding(id, .unknown, c.withoutCPUEvidence("Neither MSR_PLATFORM_INFO nor the cpuinfo flags were read: CPUID faulting is unknown."),
                             evidence: evidence, remedy: "offline")
        }
        let hw = pg.hardwareVirtualization != nil
        if faulting {
            return c.finding(id, .pass, "CPUID faulting is supported: CPUID at CPL>0 can be made to #GP.", evidence: evidence)
        }
        return hw
            ? c.finding(id, .pass, "No CPUID faulting, but VT-x/AMD-V exits on CPUID, which closes the gap.", evidence: evidence)
            : c.finding(id, .warn, "No CPUID faulting and no VT-x/AMD-V: CPUID reveals the real CPU to a deprivileged guest.",
                        evidence: evidence, remedy: "absent")
    }

    /// What the CPL3 probes saw for these instructions, one evidence item each.
    static func probeEvidence(_ c: RuleContext, _ instructions: [PopekGoldbergAnalysis.Instruction]) -> [EvidenceItem] {
        guard let probes = c.facts.cpl3Probes else { return [] }
        let names = Set(instructions.map(\.instruction))
        return probes.results.filter { names.contains($0.instruction) }.map {
            EvidenceItem(source: "CPL3 probe \($0.probe)", detail: "\($0.outcome.rawValue): \($0.detail)")
        }
    }
}
