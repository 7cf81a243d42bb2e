import Analysis
import FuzzSupport
import Yams

/// libFuzzer entry: one input, parsed as a `--policy` file, and read again by libyaml (through
/// Yams): wherever virtcheck's reader reads a document, libyaml must compose the same tree, and
/// what libyaml refuses the reader must refuse. A difference traps, so libFuzzer keeps the input.
/// Errors are expected; crashes, hangs, sanitizer reports and differences are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = try? PolicyParser.parse(text)
    guard let ours = try? PolicyYAMLReader.read(text) else { return 0 }
    let theirs: PolicyNode??
    do {
        // Without a leading BOM, which libyaml (as Yams drives it) counts as a column of the
        // first line (PolicyYAMLReaderTests.libyaml says more).
        let withoutBOM = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
        theirs = .some(try Yams.compose(yaml: withoutBOM).map(tree))
    } catch {
        theirs = nil
    }
    guard let theirs else { fatalError("the policy reader read what libyaml refuses: \(text.debugDescription)") }
    guard theirs == ours else { fatalError("the policy reader and libyaml differ on \(text.debugDescription)") }
    return 0
}

/// libyaml's tree in the reader's terms (a collection as a key, which the reader refuses, never
/// gets here).
func tree(_ node: Node) -> PolicyNode {
    switch node {
    case .scalar(let s):
        return .scalar(s.string, plain: s.style == .plain || s.style == .any)
    case .sequence(let items):
        return .sequence(items.map(tree))
    case .mapping(let pairs):
        return .mapping(pairs.map { PolicyNode.Entry(key: $0.key.scalar?.string ?? "(a collection)", value: tree($0.value)) })
    }
}

@_cdecl("fuzz_policy_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
