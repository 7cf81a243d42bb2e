import HostModel
import VirtCheckData

/// Documented facts about CPU models (`Data/rules/cpu_models.tsv`): models without VT-x, and
/// VT-x generations without EPT or unrestricted guest. Consulted only where the host's own
/// evidence is silent (a CPUID dump carries no VMX MSRs); the host's evidence always wins.
public struct CPUModelTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public var vendor: String
        public var family: Int
        /// Empty means any model.
        public var models: Set<Int>
        /// Nil means any brand.
        public var brandToken: String?
        public var lacks: Set<String>
        public var name: String
        public var source: String

        func matches(_ id: CPUIdentity) -> Bool {
            guard id.vendor == vendor, id.family == family else { return false }
            if !models.isEmpty {
                guard let model = id.model, models.contains(model) else { return false }
            }
            if let token = brandToken {
                let words = (id.brand ?? "").split(asciiWhere: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") })
                return words.contains { $0 == token }
            }
            return true
        }
    }

    public let entries: [Entry]

    public static let builtIn = CPUModelTable(DataTables.cpuModels)

    init(_ table: TSVTable) {
        entries = table.rows.compactMap { row in
            guard let vendor = row["vendor"], let family = row["family"].flatMap({ Int($0) }),
                  let models = row["models"], let token = row["brand_token"], let lacks = row["lacks"],
                  let name = row["name"], let source = row["source"] else { return nil }
            return Entry(vendor: vendor, family: family,
                         models: models == "*" ? [] : Set(models.split(ascii: ",").compactMap { Int($0, radix: 16) }),
                         brandToken: token == "*" ? nil : token,
                         lacks: Set(lacks.split(ascii: ",").map(String.init)), name: name, source: source)
        }
    }

    /// The first entry that says this CPU lacks the feature a rule checks.
    public func lacking(_ ruleId: String, _ id: CPUIdentity) -> Entry? {
        entries.first { $0.lacks.contains(ruleId) && $0.matches(id) }
    }
}
