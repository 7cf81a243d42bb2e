import Analysis
import Foundation
import FuzzSupport
import HostModel
import HostProbe
import Reporting

/// libFuzzer entry: one input describes a captured tree, one entry a line —
/// `f PATH CONTENT` (a file; `\n` and `\t` in CONTENT are a newline and a tab), `d PATH` (a directory),
/// `l PATH TARGET` (a symlink; TARGET taken as it is: absolute, `..`, loops, /proc magic links)
/// — which is built in a scratch directory and read as `--root` reads it, then assessed and
/// rendered. Beside the tree lies a file with a secret marker: a snapshot holding it means a
/// read escaped the tree, and the target stops (that is the finding, besides crashes and hangs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let tree = RootTreeScratch.shared.rebuild(FuzzInput.text(data, size))
    let snapshot = LiveProbe.snapshot(root: HostRoot(path: tree, isLive: false), options: .init(runGuest: false, plan: RuleCatalogue.builtIn.evidencePlan))
    let json = (try? SnapshotCoding.encoder().encode(snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let report = Report(Assessor.assess(snapshot))
    let rendered = ((try? JSONRenderer().render(report)) ?? "") + TextRenderer(color: false, quiet: false).render(report)
    if json.contains(RootTreeScratch.marker) || rendered.contains(RootTreeScratch.marker) {
        fatalError("a --root read escaped the tree: the secret beside it reached the snapshot or report")
    }
    return 0
}

/// The scratch directory: `outside/secret` (the marker) and `tree/`, rebuilt for every input.
final class RootTreeScratch: @unchecked Sendable {
    static let marker = "FUZZ-SECRET-OUTSIDE-THE-TREE"
    static let shared = RootTreeScratch()
    /// Entries per input, and bytes per file: small trees, many of them.
    static let maxEntries = 64
    static let maxContent = 4096

    let base: String
    var tree: String { base + "/tree" }

    init() {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fuzz-root-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        try? Self.marker.write(toFile: base + "/outside/secret", atomically: false, encoding: .utf8)
    }

    /// Files and directories first, then every link's directory, then the links: no entry is
    /// ever created through a link made before it, so the harness itself writes only in the tree.
    func rebuild(_ description: String) -> String {
        let fm = FileManager.default
        try? fm.removeItem(atPath: tree)
        try? fm.createDirectory(atPath: tree, withIntermediateDirectories: true)
        var links: [(path: String, target: String)] = []
        for line in description.split(separator: "\n").prefix(Self.maxEntries) {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, let path = Self.inside(fields[1]) else { continue }
            let full = tree + "/" + path
            let rest = fields.count == 3 ? String(fields[2]) : ""
            switch fields[0] {
            case "f":
                try? fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let content = String(rest.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t").prefix(Self.maxContent))
                try? content.write(toFile: full, atomically: false, encoding: .utf8)
            case "d":
                try? fm.createDirectory(atPath: full, withIntermediateDirectories: true)
            case "l":
                // $OUTSIDE stands for any absolute path of this machine a link could name.
                links.append((full, rest.replacingOccurrences(of: "$OUTSIDE", with: base + "/outside")))
            default:
                continue
            }
        }
        for link in links {
            try? fm.createDirectory(atPath: (link.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        for link in links { _ = symlink(link.target, link.path) }
        return tree
    }

    /// The entry's own path, kept inside the tree while building it (the harness must not write
    /// outside; what its links then point at is the input's business).
    static func inside(_ raw: Substring) -> String? {
        let parts = raw.split(separator: "/").filter { $0 != "." && $0 != ".." && !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}

@_cdecl("fuzz_root_tree_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
