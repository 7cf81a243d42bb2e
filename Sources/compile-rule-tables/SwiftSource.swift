import HostModel

/// Swift literals of the decoded values. Strings become ASCII-only literals (every other scalar
/// as `\u{...}`), dictionaries list their keys sorted, so the output is the same on every build.
enum SwiftSource {
    static func tables(rules: [RuleDefinition], profiles: [ProfileDefinition]) -> String {
        """
        // Generated at build time by compile-rule-tables (the RuleTables build-tool plugin) from
        // Data/rules/catalogue.yaml and Data/rules/profiles.yaml. Edit the YAML, not this file.
        import HostModel

        /// The rule catalogue and the profiles, compiled from their YAML: no run decodes YAML.
        enum CompiledRuleTables {
            static let rules: [RuleDefinition] = [
        \(rules.map { "        \(rule($0))," }.joined(separator: "\n"))
            ]

            static let profiles: [ProfileDefinition] = [
        \(profiles.map { "        \(profile($0))," }.joined(separator: "\n"))
            ]
        }

        """
    }

    static func rule(_ r: RuleDefinition) -> String {
        "RuleDefinition(id: \(string(r.id)), family: \(string(r.family)), side: .\(r.side.rawValue), title: \(string(r.title)), "
            + "checks: \(string(r.checks)), why: \(string(r.why)), sources: \(strings(r.sources)), "
            + "remediation: \(dictionary(r.remediation)), evidence: [\(r.evidence.map(need).joined(separator: ", "))])"
    }

    static func profile(_ p: ProfileDefinition) -> String {
        let requirements = p.requires.map { q in
            "ProfileDefinition.Requirement(any: \(strings(q.any)), via: \(q.via.map(strings) ?? "nil"), "
                + "side: .\(q.side.rawValue), why: \(q.why.map(string) ?? "nil"))"
        }
        return "ProfileDefinition(id: \(string(p.id)), title: \(string(p.title)), why: \(string(p.why)), "
            + "sources: \(strings(p.sources)), cpuProvenBy: \(p.cpuProvenBy.map(string) ?? "nil"), "
            + "requires: [\(requirements.joined(separator: ", "))])"
    }

    static func need(_ n: EvidenceNeed) -> String {
        switch n {
        case .cpuid(let leaf): ".cpuid(leaf: \(hex(leaf)))"
        case .msr(let index): ".msr(\(hex(index)))"
        case .cpuinfoFlag(let name): ".cpuinfoFlag(\(string(name)))"
        case .lscpuField(let name): ".lscpuField(\(string(name)))"
        case .path(let path): ".path(\(string(path)))"
        case .device(let path): ".device(\(string(path)))"
        case .ioctl(let name): ".ioctl(\(string(name)))"
        case .probe(let name): ".probe(\(string(name)))"
        case .kernelLog(let message): ".kernelLog(.\(message))"
        }
    }

    static func hex(_ n: UInt32) -> String { "0x" + String(n, radix: 16, uppercase: true) }

    static func strings(_ list: [String]) -> String { "[\(list.map(string).joined(separator: ", "))]" }

    static func dictionary(_ d: [String: String]) -> String {
        d.isEmpty ? "[:]" : "[\(d.sorted { $0.key < $1.key }.map { "\(string($0.key)): \(string($0.value))" }.joined(separator: ", "))]"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out + "\""
    }
}
