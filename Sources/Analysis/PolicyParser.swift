import Foundation
import HostModel
import Yams

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
        // Yams recurses once per level: a 9 KB document nested 4,700 deep overflowed the stack.
        let depth = NestingDepth.yaml(text)
        guard depth <= InputLimits.maxNestingDepth else {
            throw PolicyError(path: "(document)", message: "nested \(depth) levels deep, deeper than \(InputLimits.maxNestingDepth): not a policy")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw PolicyError(path: syntaxLocation(error), message: "not valid YAML or JSON: \(oneLine(error))")
        }
        guard let root, case .mapping(let mapping) = root else {
            throw PolicyError(path: "(document)", message: "expected a mapping with keys \(keys.joined(separator: ", "))")
        }
        var policy = Policy()
        for (keyNode, value) in mapping {
            guard let key = plainString(keyNode) else {
                throw PolicyError(path: "(document)", message: "keys must be strings")
            }
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
                for (idNode, overrideNode) in rules {
                    guard let id = plainString(idNode) else { throw PolicyError(path: "rules", message: "rule ids must be strings") }
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
                guard case .scalar(let scalar) = value, scalar.style == .plain || scalar.style == .any,
                      ["true", "false"].contains(scalar.string) else {
                    throw PolicyError(path: "strict", message: "expected true or false")
                }
                policy.strict = scalar.string == "true"
            case "description":
                guard plainString(value) != nil else { throw PolicyError(path: "description", message: "expected a string") }
            default:
                throw PolicyError(path: key, message: "unknown key; expected one of \(keys.joined(separator: ", "))")
            }
        }
        return policy
    }

    /// A scalar's text; nil for mappings and sequences.
    static func plainString(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar.string
    }

    static func suggest(_ id: String, _ known: [String]) -> String {
        let close = RuleCatalogue.builtIn.closeMatches(to: id, among: known)
        return close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?"
    }

    static func syntaxLocation(_ error: any Error) -> String {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
                return "line \(mark.line), column \(mark.column)"
            default:
                break
            }
        }
        return "(document)"
    }

    static func oneLine(_ error: any Error) -> String {
        let text: String
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
                text = problem
            default:
                text = String(describing: yaml)
            }
        } else {
            text = String(describing: error)
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
