/// How deeply a JSON or YAML document nests, measured on the text before any parser sees it:
/// JSONReader and PolicyYAMLReader recurse once per level, so depth is limited first
/// (`InputLimits.maxNestingDepth`). Linear in the text, no allocation per level.
public enum NestingDepth {
    /// The deepest `[`/`{` nesting outside strings (JSON strings: `"` with `\` escapes).
    public static func json(_ text: String) -> Int {
        // On the contiguous bytes: iterating `String.UTF8View` cost 40 instructions a byte, 6 % of
        // a `check --from` (callgrind, issue 16).
        var text = text
        return text.withUTF8(json)
    }

    static func json(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    /// An upper bound of a YAML document's nesting: per line, the flow depth carried from earlier
    /// lines (`[`/`{` outside quotes and comments), plus the indentation in columns, plus each
    /// `- ` or `? ` that opens a block collection on the same line (`- - - x` is three levels).
    /// Counting columns over-estimates block nesting (two spaces usually make one level), which
    /// is harmless at a limit far above what a policy needs.
    public static func yaml(_ text: String) -> Int {
        var flow = 0, deepest = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var i = line.startIndex
            var indent = 0
            while i < line.endIndex, line[i] == UInt8(ascii: " ") {
                indent += 1
                i = line.index(after: i)
            }
            var block = 0
            while i < line.endIndex, line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "?") {
                let next = line.index(after: i)
                guard next == line.endIndex || line[next] == UInt8(ascii: " ") || line[next] == UInt8(ascii: "\t") else { break }
                block += 1
                i = next
                while i < line.endIndex, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i = line.index(after: i) }
            }
            // A quote opens a string only at the start of a token (`don't` is plain text) and `#`
            // starts a comment only after a blank: read otherwise, a bracket would go uncounted.
            var quote: UInt8?
            var previous = UInt8(ascii: " ")
            var lineDeepest = flow
            while i < line.endIndex {
                let byte = line[i]
                i = line.index(after: i)
                defer { previous = byte }
                if let q = quote {
                    if byte == q { quote = nil }
                    continue
                }
                let tokenStart = previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") || previous == UInt8(ascii: "[")
                    || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":")
                switch byte {
                case UInt8(ascii: "\"") where tokenStart, UInt8(ascii: "'") where tokenStart: quote = byte
                case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t"): i = line.endIndex
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    lineDeepest = max(lineDeepest, flow)
                case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                default: break
                }
            }
            deepest = max(deepest, indent + block + lineDeepest)
        }
        return deepest
    }
}
