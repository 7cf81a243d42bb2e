import Testing
import Yams
@testable import Analysis

/// virtcheck's policy reader against libyaml (through Yams, which composed policies before issue
/// 16 and still compiles the rule tables): every document here is read by both, and where the
/// reader accepts one, libyaml must compose the same tree; where the reader refuses one, libyaml
/// must refuse it too, unless it is one of the refusals the reader's documentation names.
struct PolicyYAMLReaderTests {
    /// Documents both must read alike: policy files as people write them, and the corners of
    /// YAML's syntax a policy can reach.
    static let agreed: [String] = [
        // The README's and the fuzz corpus's policies, block and JSON.
        "# CI gate for the VM runners\ndescription: runners must nest\nprofiles: [kvm, nested]\nstrict: true\nrules:\n  cpu.vmcs-shadowing: fail\n  kvm.nested: warn\n  cc.tdx: ignore\n",
        #"{"profiles": ["vm-host"], "rules": {"cpu.ept": "fail"}, "strict": false}"#,
        "{\n  \"profiles\": [\n    \"vfio\",\n    \"kvm\"\n  ],\n  \"rules\": {\n    \"iommu.groups\": \"warn\"\n  },\n  \"strict\": true\n}\n",
        #"{"profiles":["kvm"],"rules":{"cpu.ept":"fail","kvm.nested":"ignore"},"strict":false,"description":"a\u00e9\n\"q\""}"#,
        // Lists at the key's indentation and indented, items with comments, empty values.
        "profiles:\n- kvm\n- nested\nstrict: false\n",
        "profiles:\n  - kvm   # the base\n  # a comment line\n  - nested\nrules:\n  cpu.ept: fail\n",
        "profiles:\n-\n- kvm\n",
        "description:\nprofiles: []\nrules: {}\n",
        "description: ~\nstrict: null\n",
        // Quoting: single, double, escapes, keys quoted either way, folding across lines.
        "'profiles': ['kvm', \"nested\"]\n\"rules\": {'cpu.ept': \"fail\"}\n",
        "description: 'it''s a ''gate'''\n",
        #"description: "tab\there\nnewline \\ \" \/ \x41 \u00e9 \U0001F600 \e\0 \N\_\L\P""#,
        "description: \"one\n  two\n\n  three\"\n",
        "description: 'one\n  two\n\n\n  three  '\n",
        "description: \"joined\\\n   here\"\n",
        // Plain scalars: inner colons and hashes, multi-line folding, trailing blanks.
        "description: a:b c#d http://x/y  \n",
        "description: first line\n  second line\n\n  after an empty one\nstrict: true\n",
        "description: value # a comment ends it\nprofiles: [kvm]\n",
        "description: -1\nstrict: true\n",
        "rules: {" + String(repeating: "k", count: 1024) + ": fail}\n",
        String(repeating: "é", count: 1024) + ": fail\n",
        "description: value\t# a tab before a comment\nstrict: true  \t\n",
        "description:\tafter a tab\nstrict:\t# a tab, then nothing\n",
        // Flow collections over lines, trailing commas, nested, plain multi-line items.
        "profiles: [\n  kvm,\n  nested,\n]\nrules: {\n  cpu.ept: fail, kvm.nested:\n    warn\n}\n",
        "profiles: [kvm, [nested, vfio], {a: b}]\n",
        "rules: {a: , b}\n",
        "profiles: [two\n  words, x]\n",
        "[two\n\twords, x]\n",
        "profiles: [kvm,\n\tnested x,\n  vfio]\n",
        "rules: {\"a\":b, 'c':  d}\n",
        // Block scalars: literal and folded, chomping, explicit indentation, more-indented lines.
        "description: |\n  line one\n  line two\n\nstrict: true\n",
        "description: >\n  folded\n  into one\n\n  paragraph two\n    indented kept\n  back\n",
        "description: |-\n  stripped\n\n\n",
        "description: |+\n  kept\n\n\nstrict: true\n",
        "description: >2\n   three spaces\n  two\n",
        "description: | # a comment on the header\n  text\n",
        "description: >-\n\n  leading empty\n",
        "profiles:\n- |\n  kvm\n- nested\n",
        // Nesting: mappings in lists, lists in lists.
        "profiles:\n- a: b\n  c: d\n- - x\n  - y\n",
        "rules:\n  cpu.ept:\n    deeper: value\n",
        // Document markers, a BOM, CRLF and CR line ends, blank and comment-only documents.
        "---\nprofiles: [kvm]\n...\n",
        "--- # the policy\nprofiles: [kvm]\n",
        "\u{FEFF}profiles: [kvm]\n",
        "\u{FEFF}profiles: [kvm]\nstrict: true\n",
        "\u{FEFF}---\nstrict: true\n",
        "profiles:\r\n  - kvm\r\nstrict: true\r\n",
        "# only a comment\n",
        "",
        "---\n",
        // Documents that are no mapping (the parser then says so).
        "- kvm\n- nested\n",
        "just words\nover two lines\n",
        "[a, b]\n",
        "\"a string\"\n",
    ]

    /// Documents libyaml refuses, and the reader must too.
    static let bothRefuse: [String] = [
        "profiles: [kvm\n",
        "rules: {a: b\n",
        "description: \"open\n",
        "description: 'open\n",
        "profiles: kvm\n  nested: x\n",
        "a: b: c\n",
        "a: b\n  c: d\n",
        "description: \"bad \\q escape\"\n",
        "profiles: [a]]\n",
        "- a\nb: c\n",
        "a:\n  - b\n  c: d\n",
        "description: @at\n",
        "description: `tick\n",
        "key: value\n\tother: x\n",
        "a: 1\n---\nb: 2\n",
        "profiles: - kvm\n",
        "   \n\t\n# x\n",
        "description: |--\n  x\n",
        "- \tkvm\n",
        "...\n",
        "description: a\u{85}b\n",
        "profiles: [kvm,\n...\n]\n",
        "profiles: [kvm\n--- x]\n",
        "rules: {cpu.ept: fail,\n---\n}\n",
        "profiles: [kv\n\tm]\n",
        String(repeating: "k", count: 1024) + "é: fail\n",
        "rules: {" + String(repeating: "k", count: 1025) + ": fail}\n",
        "rules:\n  '" + String(repeating: "k", count: 1023) + "' : fail\n",
    ]

    /// Documents libyaml reads but the reader refuses on purpose (its documentation names each).
    static let refusedByDesign: [String] = [
        "profiles: &p [kvm]\nrules: *p\n",
        "strict: !!bool true\n",
        "%YAML 1.2\n---\nprofiles: [kvm]\n",
        "? profiles\n: [kvm]\n",
        "strict: true\nstrict: false\n",
        "rules: {a: fail, a: warn}\n",
        "profiles: [a: b]\n",
        "[a, b]: c\n",
        "description: \"a\u{2028}b\"\n",
        "strict: true\u{FEFF}\n",
    ]

    static func tree(_ node: Node) -> PolicyNode? {
        switch node {
        case .scalar(let s):
            return .scalar(s.string, plain: s.style == .plain || s.style == .any)
        case .sequence(let items):
            var out: [PolicyNode] = []
            for item in items {
                guard let t = tree(item) else { return nil }
                out.append(t)
            }
            return .sequence(out)
        case .mapping(let pairs):
            var out: [PolicyNode.Entry] = []
            for (key, value) in pairs {
                guard case .scalar(let k) = key, let v = tree(value) else { return nil }
                out.append(PolicyNode.Entry(key: k.string, value: v))
            }
            return .mapping(out)
        }
    }

    /// libyaml's reading of `text`, the oracle. A leading byte order mark is taken off first:
    /// libyaml, as Yams drives it, counts the BOM as a column of the first line, so a `---` after
    /// it is no document marker and a second key at the start of a line ends the document (it
    /// refuses `BOM profiles: [kvm] LF strict: true`, a policy saved by a Windows editor); the
    /// reader reads a BOM as nothing, as YAML says (1.2, 5.2).
    static func libyaml(_ text: String) -> Result<PolicyNode?, any Error> {
        let withoutBOM = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
        return Result { try Yams.compose(yaml: withoutBOM).map { tree($0) ?? .scalar("(not representable)", plain: false) } }
    }

    @Test(arguments: agreed)
    func readsAsLibyamlComposes(text: String) throws {
        let ours = try PolicyYAMLReader.read(text)
        let theirs = try Self.libyaml(text).get()
        #expect(ours == theirs, "\(text.debugDescription)")
    }

    @Test(arguments: bothRefuse)
    func refusesWhatLibyamlRefuses(text: String) {
        #expect(throws: (any Error).self, "libyaml read \(text.debugDescription)") { try Self.libyaml(text).get() }
        #expect(throws: PolicySyntaxError.self, "\(text.debugDescription)") { try PolicyYAMLReader.read(text) }
    }

    @Test(arguments: refusedByDesign)
    func refusesWhatAPolicyHasNoUseFor(text: String) throws {
        _ = try Self.libyaml(text).get()
        #expect(throws: PolicySyntaxError.self, "\(text.debugDescription)") { try PolicyYAMLReader.read(text) }
    }

    /// PolicyParser measures nesting before reading, but the reader is public: on its own it stops
    /// at the limit too (fuzz-policy, calling it directly, overflowed the stack with 1,000 `[`).
    @Test(arguments: [String(repeating: "[", count: 5000), String(repeating: "{a: ", count: 5000),
                      (0..<3000).map { String(repeating: " ", count: $0) + "- \n" }.joined(),
                      (0..<3000).map { String(repeating: " ", count: $0) + "k:\n" }.joined()])
    func deepNestingIsRefusedByTheReaderItself(text: String) {
        do {
            _ = try PolicyYAMLReader.read(text)
            Issue.record("read a document nested thousands deep")
        } catch {
            #expect(error.problem == "nested deeper than 64 levels: not a policy")
        }
    }

    @Test func errorsNameTheirLineAndColumn() {
        #expect(throws: PolicySyntaxError(line: 2, column: 8, problem: "anchors (&), aliases (*) and tags (!) are not read in a policy")) {
            try PolicyYAMLReader.read("profiles: [kvm]\nrules: *p\n")
        }
        #expect(throws: PolicySyntaxError(line: 1, column: 14, problem: "control character U+7 is not allowed in YAML")) {
            try PolicyYAMLReader.read("description: \u{7}\n")
        }
        #expect(throws: PolicySyntaxError(line: 3, column: 1, problem: "the key 'strict' is written twice")) {
            try PolicyYAMLReader.read("strict: true\nprofiles: [kvm]\nstrict: false\n")
        }
    }

    /// Random policy-shaped documents, some broken: wherever the reader accepts one, libyaml
    /// composes the same tree, and wherever libyaml refuses one, so does the reader.
    @Test func agreesWithLibyamlOnGeneratedDocuments() throws {
        var generator = SplitMix64(seed: 0x5eed_16)
        let pieces = ["profiles", "rules", "strict", "description", "kvm", "cpu.ept", "fail", "true", "'q'", "\"d\\\"q\"",
                      ":", ": ", "- ", "-", "[", "]", "{", "}", ", ", ",", "#c", " #c", "\n", "\n  ", "\n    ", "\n- ", "|", ">",
                      "|-", ">+", "|2", "  ", " ", "\t", "\t- ", "\n\t", "x y", "a:b", ":x", "'", "\"", "\\n", "~", "...", "---",
                      "\r\n", "\n\n", "'a\n b'", "\"a\n\n b\"", "{\"a\": [1, 2]}", "\"k\":", "\"\\u00e9\"", "?", "? ", "&a ",
                      "*a", "!t ", "%", "@", "\r", "\u{FEFF}", "é", "\"\\\r\n  x\"", "'a\r\n\r\n b'"]
        var agreedCount = 0
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 16) + 1
            let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let theirs = Self.libyaml(text)
            let ours = Result { () throws(PolicySyntaxError) -> PolicyNode? in try PolicyYAMLReader.read(text) }
            switch (ours, theirs) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(text.debugDescription)")
                agreedCount += 1
            case (.success, .failure(let error)):
                Issue.record("the reader accepted what libyaml refuses: \(text.debugDescription) (\(String(describing: error).prefix(80)))")
            case (.failure, _):
                break   // libyaml reads more than a policy needs; refusals by design are listed above
            }
        }
        #expect(agreedCount > 5_000)
    }
}
