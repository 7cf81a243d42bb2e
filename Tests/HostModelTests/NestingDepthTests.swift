import HostModel
import Testing

/// The depth measured before a parser recurses must never be lower than the parser's own:
/// brackets in strings do not count in JSON, and YAML's plain text, quotes and comments do not
/// hide a bracket that opens a level.
@Suite struct NestingDepthTests {
    @Test(arguments: [
        ("{}", 1), ("[[1], {\"a\": [2]}]", 3), ("{\"a\": \"[[[[\\\"]]\"}", 1), ("\"{{{\"", 0),
    ])
    func json(_ text: String, _ depth: Int) {
        #expect(NestingDepth.json(text) == depth)
    }

    @Test(arguments: [
        ("profiles: [kvm, nested]\nstrict: true\n", 1),
        ("rules:\n  cpu.vmcs-shadowing: fail\n", 2),
        ("- - - x\n", 3),
        ("a: [don't, [x]]\n", 2),             // an apostrophe inside plain text opens no string
        ("a: [x#y, [z]]\n", 2),                // `#` without a blank before it is not a comment
        ("a: b # [[[[ a comment\n", 0),
        ("a: \"[[[[\"\n", 0),
        ("a: [\n[\n[\n", 3),                   // flow depth carries across lines
    ])
    func yaml(_ text: String, _ depth: Int) {
        #expect(NestingDepth.yaml(text) == depth)
    }
}
