import HostModel

/// Reads a policy written in YAML or JSON (JSON is YAML) and validates it strictly: unknown keys,
/// unknown profile or rule ids, and wrong types are errors naming the place, because a typo in a
/// CI gate must not silently weaken it.
///
/// ```yaml
/// profiles: [kvm, nested]
/// strict: true
/// rules:
///   cpu.vmcs-shadowing: fail   # fail | warn | ignore
///   kvm.nested: warn
/// ```
public enum PolicyParser {
    static let keys = ["profiles", "rules", "strict", "description"]
    /// A policy is a few lines; 1 MiB is far beyond any.
    public static let maxFileSize = 1 << 20

    public static func parse(_ text: String, profiles knownProfiles: [String] = ProfileEvaluator.profiles.map(\.id),
                             rules knownRules: [String] = RuleCatalogue.builtIn.ids) throws(PolicyError) -> Policy {
        // The reader recurses once per level: a 9 KB document nested 4,700 deep overflowed the stack.
        let depth = NestingDepth.yaml(text)
        guard depth <= InputLimits.maxNestingDepth else {
            throw PolicyError(path: "(document)", message: "nested \(depth) levels deep, deeper than \(InputLimits.maxNestingDepth): not a policy")
        }
        let root: PolicyNode?
        do {
            root = try PolicyYAMLReader.read(text)
        } catch {
            throw PolicyError(path: "line \(error.line), column \(error.column)", message: "not valid YAML or JSON: \(error.problem)")
        }
        guard let root, case .mapping(let mapping) = root else {
            throw PolicyError(path: "(document)", message: "expected a mapping with keys \(keys.joined(separator: ", "))")
        }
        var policy = Policy()
        for entry in mapping {
            let (key, value) = (entry.key, entry.value)
            switch key {
            case "profiles":
                guard case .sequence(let items) = value else { throw PolicyError(path: "profiles", message: "expected a list of profile ids") }
                for (i, item) in items.enumerated() {
                    guard let id = plainString(item) else { throw PolicyError(path: "profiles[\(i)]", message: "expected a profile id (string)") }
                    guard knownProfiles.contains(id) else {
                        throw PolicyError(path: "profiles[\(i)]", message: "unknown profile '\(id)'\(suggest(id, knownProfiles)); known: \(knownProfiles.joined(separator: ", "))")
                    }
                    if !policy.profiles.contains(id) { policy.profiles.append(id) }
                }
            case "rules":
                guard case .mapping(let rules) = value else {
                    throw PolicyError(path: "rules", message: "expected a mapping of rule id to fail, warn or ignore")
                }
                for rule in rules {
                    let (id, overrideNode) = (rule.key, rule.value)
                    let path = "rules[\"\(id)\"]"
                    guard knownRules.contains(id) else {
                        throw PolicyError(path: path, message: "unknown rule id\(suggest(id, knownRules)) (`virtcheck explain --list` lists them)")
                    }
                    guard let word = plainString(overrideNode), let override = Policy.Override(rawValue: word) else {
                        throw PolicyError(path: path, message: "expected one of \(Policy.Override.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    policy.rules[id] = override
                }
            case "strict":
                guard case .scalar(let word, plain: true) = value, word == "true" || word == "false" else {
                    throw PolicyError(path: "strict", message: "expected true or false")
                }
                policy.strict = word == "true"
            case "description":
                guard plainString(value) != nil else { throw PolicyError(path: "description", message: "expected a string") }
            default:
                throw PolicyError(path: key, message: "unknown key; expected one of \(keys.joined(separator: ", "))")
            }
        }
        return policy
    }

    /// A scalar's text; nil for mappings and sequences.
    static func plainString(_ node: PolicyNode) -> String? {
        guard case .scalar(let text, _) = node else { return nil }
        return text
    }

    static func suggest(_ id: String, _ known: [String]) -> String {
        let close = RuleCatalogue.builtIn.closeMatches(to: id, among: known)
        return close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?"
    }
}
