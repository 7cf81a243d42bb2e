import Analysis
import ArgumentParser
import FoundationEssentials
import Glibc
import Reporting

/// `virtcheck explain RULE_ID`: what a rule checks, why it matters, how to fix it, and the
/// sources; also profiles by id. An unknown id is unusable input (exit 2) with close matches.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a rule or profile: what it checks, why it matters, how to fix it, sources.",
        discussion: """
        Examples:
          virtcheck explain cpu.ept
          virtcheck explain bhyve          # a profile: its requirements and why
          virtcheck explain --list
        """)

    @Argument(help: ArgumentHelp("A rule id (e.g. cpu.vmx.enabled-by-firmware) or a profile id (e.g. hyper-v).", valueName: "id"))
    var id: String?

    @Flag(help: "List every rule and profile id with its title.")
    var list = false

    func validate() throws {
        if list == (id != nil) { throw ValidationError("give a rule or profile id, or --list") }
    }

    func run() throws {
        let catalogue = RuleCatalogue.builtIn
        let text: String
        if list {
            text = ExplainText.list(catalogue, profiles: ProfileEvaluator.profiles)
        } else if let id, let rule = catalogue.rule(id) {
            text = ExplainText.rule(rule, requiredBy: ProfileEvaluator.profiles.filter { $0.requires.contains { $0.any.contains(id) || ($0.via ?? []).contains(id) } }.map(\.id))
        } else if let id, let profile = ProfileEvaluator.profile(id) {
            text = ExplainText.profile(profile, catalogue)
        } else {
            let id = id ?? ""
            let close = catalogue.closeMatches(to: id, among: catalogue.ids + ProfileEvaluator.profiles.map(\.id))
            throw CLIError.input("unknown rule or profile id '\(id)'\(close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?") (`virtcheck explain --list` lists them)").exit()
        }
        try Emit.write(text, to: nil)
    }
}
