import FoundationEssentials
import Glibc
import HostModel

/// The rule catalogue compiled into the binary: every rule id virtcheck knows, including those
/// produced by other rule families (IOMMU/PCI), so `explain` and policies can name them.
public struct RuleCatalogue: Sendable {
    public let rules: [RuleDefinition]

    /// The catalogue of this build, compiled from `Data/rules/catalogue.yaml` at build time (the
    /// RuleTables plugin): a catalogue that does not decode fails the build, and no run decodes YAML.
    public static let builtIn = RuleCatalogue(rules: CompiledRuleTables.rules)

    public init(rules: [RuleDefinition]) {
        self.rules = rules
    }

    public func rule(_ id: String) -> RuleDefinition? {
        rules.first { $0.id == id }
    }

    public var ids: [String] { rules.map(\.id) }

    /// What the live probe must read so that every rule has its evidence: the union of the
    /// rules' declared needs.
    public var evidencePlan: EvidencePlan { EvidencePlan(needs: rules.flatMap(\.evidence)) }

    /// The remediation text for a situation. A key the catalogue lacks is a defect in this build;
    /// the text says so plainly rather than crashing a user's run, and the tests look for it.
    public func remediation(_ id: String, _ situation: String, backend: String? = nil) -> String {
        guard let text = rule(id)?.remediation[situation] else {
            return "\(RuleCatalogue.missingMarker) \(id)/\(situation)"
        }
        return RuleCatalogue.substitute(RuleCatalogue.backendPlaceholder, in: text, with: backend ?? "the KVM backend module")
    }

    static let backendPlaceholder = "{backend}"

    /// `text` with every `placeholder` (ASCII, so never part of a multi-byte character) replaced,
    /// on UTF-8 bytes: Foundation's `replacingOccurrences` checked its generic requirements
    /// against the runtime's conformance records on each call, 2 M instructions for a check's 22
    /// remediations (callgrind, issue 16).
    static func substitute(_ placeholder: String, in text: String, with value: String) -> String {
        let token = Array(placeholder.utf8)
        let bytes = Array(text.utf8)
        guard let first = token.first, bytes.count >= token.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + value.utf8.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == first, i + token.count <= bytes.count, bytes[i..<i + token.count].elementsEqual(token) {
                out.append(contentsOf: value.utf8)
                i += token.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static let missingMarker = "(no remediation text in the catalogue for"

    /// Ids close to `id`, for "did you mean" messages: same prefix, shared words, or a small edit distance.
    public func closeMatches(to id: String, among candidates: [String]? = nil) -> [String] {
        let pool = candidates ?? ids
        let needle = id.lowercased()
        let scored = pool.map { ($0, RuleCatalogue.editDistance(needle, $0.lowercased())) }
        let close = scored.filter { candidate, distance in
            distance <= max(2, needle.count / 3) || candidate.contains(needle) || (needle.count >= 3 && needle.contains(candidate))
                || candidate.split(ascii: ".").contains { needle.split(ascii: ".").contains($0) && $0.count > 3 }
        }
        return close.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(5).map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
