@testable import Analysis
import Foundation
import Testing

/// `RuleCatalogue.substitute` replaced Foundation's `replacingOccurrences` (issue 16): it must
/// give what that gave, for every remediation text of the catalogue and at the edges.
struct RemediationSubstitutionTests {
    @Test func everyCatalogueTextReadsAsFoundationWroteIt() {
        var withPlaceholder = 0
        for rule in RuleCatalogue.builtIn.rules {
            for text in rule.remediation.values {
                for backend in ["kvm_amd", "the KVM backend module", "é{backend}"] {
                    #expect(RuleCatalogue.substitute("{backend}", in: text, with: backend)
                            == text.replacingOccurrences(of: "{backend}", with: backend), "\(rule.id)")
                }
                if text.contains("{backend}") { withPlaceholder += 1 }
            }
        }
        #expect(withPlaceholder >= 4)
    }

    @Test(arguments: ["", "{backend}", "{backend}{backend}", "a {backend", "{backen}d", "é{backend}é", "{{backend}}", "x{backend}"])
    func edges(_ text: String) {
        #expect(RuleCatalogue.substitute("{backend}", in: text, with: "kvm_intel") == text.replacingOccurrences(of: "{backend}", with: "kvm_intel"))
    }
}
