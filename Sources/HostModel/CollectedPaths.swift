/// What a captured `--root` tree says it looked at: the file `collected-paths.txt` at the top of
/// the tree, one absolute path a line (`#` comments and blank lines allowed). A path ending in `/`
/// stands for everything under it (`/dev/` when the whole of /dev was listed). A tree is a copy
/// of some files, never the whole host, so a declared path missing from the tree is only absent
/// on the host when the tree lists it here: the capturer looked and found nothing. A path the
/// tree neither holds nor lists was never looked at, and rules say `unknown` for it.
public struct CollectedPaths: Sendable, Hashable {
    /// The name of the manifest, at the top of a tree.
    public static let fileName = "/collected-paths.txt"
    /// The most paths kept: a capture lists the few dozen paths the rules declare, or whole
    /// directories; more than this is not a manifest.
    public static let maxPaths = 65_536

    /// Paths listed exactly.
    public var paths: Set<String>
    /// Directories listed with a trailing `/`, without it.
    public var subtrees: [String]

    public init(paths: Set<String> = [], subtrees: [String] = []) {
        self.paths = paths
        self.subtrees = subtrees
    }

    /// Reads the manifest's text. Lines that are not absolute paths (relative, `..` components)
    /// are skipped rather than trusted: they cannot name a host path.
    public init(parsing text: String) {
        var paths = Set<String>(), subtrees: [String] = []
        for raw in text.inputLines(omittingEmptySubsequences: true) {
            var line = raw.trimmingWhitespace()
            if let hash = line.firstIndex(of: "#") { line = line[..<hash].trimmingWhitespace() }
            guard line.hasPrefix("/"), !line.split(ascii: "/").contains(".."), paths.count + subtrees.count < Self.maxPaths else { continue }
            if line.count > 1, line.hasSuffix("/") {
                subtrees.append(String(line.dropLast()))
            } else {
                paths.insert(String(line))
            }
        }
        self.paths = paths
        self.subtrees = subtrees
    }

    /// Whether the capturer looked at `path`: listed itself, or under a listed subtree.
    public func covers(_ path: String) -> Bool {
        paths.contains(path) || subtrees.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
