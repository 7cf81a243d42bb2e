import HostModel

/// Reads a policy file, YAML or JSON (JSON is YAML), into a `PolicyNode` tree: the YAML a
/// configuration file is written in — block mappings and lists (a list may sit at its key's
/// indentation), `[ ]` and `{ }` over any number of lines, plain, single- and double-quoted
/// scalars with their escapes and line folding, `|` and `>` block scalars with chomping and
/// indentation indicators, comments, a BOM, and `---` / `...` around the one document.
///
/// virtcheck read policies with Yams until issue 16: Yams resolves scalars with
/// NSRegularExpression, which links all of Foundation and ICU into the binary, 1.7 ms of every
/// process start (a `check` starts two) for a file most runs never read. So this reader follows
/// libyaml (the parser inside Yams) wherever a policy can go, its leniencies and refusals
/// included: where it reads a document, libyaml composes the same tree, and what libyaml refuses
/// it refuses (`PolicyYAMLReaderTests` and the fuzz-policy target compare the two). It refuses,
/// with line and column, what libyaml would read but a policy has no use for: anchors, aliases,
/// tags, directives, complex (`?`) keys, collections as keys, `key: value` inside `[ ]`, a
/// second document, a key written twice (libyaml keeps both; a gate must not guess which was
/// meant), a block scalar at its key's own indentation (libyaml's leniency, not YAML), and the
/// characters YAML 1.1 and 1.2 read differently (`refuseControlCharacters`).
public struct PolicyYAMLReader {
    private let bytes: [UInt8]
    /// The cursor, the start of its line, and its line number (from 1).
    private var i = 0
    private var lineStart = 0
    private var line = 1
    /// Nodes open around the cursor: the reader recurses once per level, so it stops at
    /// `InputLimits.maxNestingDepth` on its own (PolicyParser measures the text first, but the
    /// reader is public, and fuzz-policy called it directly with 1,000 `[`: a stack overflow).
    private var depth = 0

    /// The document's tree; nil for a document with no node (empty, or comments only).
    public static func read(_ text: String) throws(PolicySyntaxError) -> PolicyNode? {
        var reader = PolicyYAMLReader(bytes: Array(text.utf8))
        try refuseControlCharacters(text)
        return try reader.document()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: The document

    private mutating func document() throws(PolicySyntaxError) -> PolicyNode? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        _ = try nextContentLine()
        if i == lineStart && isAt("%") { throw failure("directives (%YAML, %TAG) are not read in a policy") }
        var node: PolicyNode?
        if isDocumentMarker && isAt("-") {
            i += 3
            skipBlanks()
            if atLineEnd || isAt("#") { try endOfNode() }
            node = .empty   // `---` and nothing more is a document holding an empty value
        }
        if let indentation = nextIndent, indentation >= 0 {
            // On the `---` line itself only a scalar or a [ ] / { } may start (libyaml's rule).
            node = try blockNode(parent: -1, keysAllowed: !isDocumentMarkerAt(lineStart))
        }
        if isDocumentMarker && isAt(".") {
            guard node != nil else { throw failure("a document end marker (...) with no document before it") }
            i += 3
            try endOfNode()
        }
        guard atEnd else {
            throw failure(isDocumentMarker ? "a second document: a policy is one document" : "unexpected content after the document")
        }
        return node
    }

    // MARK: Block structure

    /// The node whose first character is under the cursor; `parent` is the indentation of the
    /// collection it belongs to (-1 for the document). Returns with the cursor on the first
    /// character of the next line with content, or at the end, as every block reader does.
    private mutating func blockNode(parent: Int, keysAllowed: Bool) throws(PolicySyntaxError) -> PolicyNode {
        try enterNode()
        defer { depth -= 1 }
        let indentation = i - lineStart
        let start = mark
        if isSequenceEntry {
            guard keysAllowed else { throw failure("a list cannot start on its key's line") }
            return try blockSequence(indentation)
        }
        if isAt("[") || isAt("{") {
            let node = try flowNode(parent: parent)
            skipBlanks()
            if isAt(":") { throw failure("a list or mapping as a key is not read in a policy") }
            try endOfNode()
            return node
        }
        if isAt("|") || isAt(">") { return try blockScalar(parent: parent) }
        let text: String, plain: Bool
        if isAt("\"") || isAt("'") {
            text = try quoted()
            plain = false
            skipBlanks()
        } else {
            (text, plain) = (try plainLine(flow: false), true)
        }
        if isAt(":") && Self.isSpaceOrEnd(byte(1)) {
            guard keysAllowed else { throw failure("mapping values are not allowed in this context") }
            try checkImplicitKey(from: start)
            return try blockMapping(indentation, firstKey: text, at: start)
        }
        guard plain else {
            try endOfNode()
            return .scalar(text, plain: false)
        }
        return .scalar(try plainContinuation(text, parent: parent), plain: true)
    }

    /// Entries `key: value` at one indentation; the cursor is on the first key's colon.
    private mutating func blockMapping(_ indentation: Int, firstKey: String, at first: Mark) throws(PolicySyntaxError) -> PolicyNode {
        var entries: [PolicyNode.Entry] = []
        var seen: Set<String> = []
        var key = firstKey
        var keyStart = first
        while true {
            guard seen.insert(key).inserted else {
                throw failure("the key '\(key)' is written twice", at: keyStart)
            }
            i += 1
            entries.append(PolicyNode.Entry(key: key, value: try mappingValue(indentation)))
            guard let next = nextIndent, next >= indentation else { break }
            guard next == indentation else { throw failure("unexpected indentation") }
            guard !isSequenceEntry else { throw failure("a list item where a key was expected") }
            keyStart = mark
            key = try blockKey()
        }
        return .mapping(entries)
    }

    /// A key of a block mapping after its first, up to and on its colon.
    private mutating func blockKey() throws(PolicySyntaxError) -> String {
        try refuseUnreadIndicators(flow: false)
        let key: String
        let start = mark
        if isAt("\"") || isAt("'") {
            key = try quoted()
            skipBlanks()
        } else {
            guard !isAt("[") && !isAt("{") else { throw failure("a list or mapping as a key is not read in a policy") }
            key = try plainLine(flow: false)
        }
        guard isAt(":") && Self.isSpaceOrEnd(byte(1)) else { throw failure("expected 'key: value'") }
        try checkImplicitKey(from: start)
        return key
    }

    /// On the `:` after a key written without `?`: YAML, and libyaml, take such a key only on one
    /// line and within 1024 characters of its start (a longer one is no key to libyaml: "could
    /// not find expected ':'"; fuzz-policy found a 1,096-character key read here).
    private func checkImplicitKey(from start: Mark) throws(PolicySyntaxError) {
        guard line == start.line else { throw failure("a key must be on one line") }
        let length = bytes[start.offset..<i].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        guard length <= Self.maxImplicitKeyLength else {
            throw failure("a key of \(length) characters: YAML takes at most \(Self.maxImplicitKeyLength) before its ':'")
        }
    }

    /// YAML 1.2's limit on a key written without `?` (7.4.2: at most 1024 Unicode characters).
    private static let maxImplicitKeyLength = 1024

    /// What follows a block key's colon: a value on the same line, a block node indented below
    /// it, a list at the key's own indentation, or nothing (an empty value).
    private mutating func mappingValue(_ indentation: Int) throws(PolicySyntaxError) -> PolicyNode {
        skipBlanks()
        guard atLineEnd || isAt("#") else { return try blockNode(parent: indentation, keysAllowed: false) }
        try endOfNode()
        guard let next = nextIndent else { return .empty }
        if next > indentation { return try blockNode(parent: indentation, keysAllowed: true) }
        if next == indentation && isSequenceEntry { return try blockSequence(indentation) }
        return .empty
    }

    /// Items `- value` at one indentation; the cursor is on the first dash.
    private mutating func blockSequence(_ indentation: Int) throws(PolicySyntaxError) -> PolicyNode {
        var items: [PolicyNode] = []
        while true {
            i += 1
            try skipSpacesBeforeToken()
            if atLineEnd || isAt("#") {
                try endOfNode()
                if let next = nextIndent, next > indentation {
                    items.append(try blockNode(parent: indentation, keysAllowed: true))
                } else {
                    items.append(.empty)
                }
            } else {
                items.append(try blockNode(parent: indentation, keysAllowed: true))
            }
            guard let next = nextIndent, next >= indentation else { break }
            guard next == indentation else { throw failure("unexpected indentation") }
            guard isSequenceEntry else { break }
        }
        return .sequence(items)
    }

    // MARK: Scalars

    /// One line of a plain scalar, without trailing blanks; stops before `: `, ` #`, the line's
    /// end and, in `[ ]` and `{ }`, before `,[]{}` and a colon followed by one of them.
    private mutating func plainLine(flow: Bool, continuing: Bool = false) throws(PolicySyntaxError) -> String {
        if !continuing, let first = byte() {
            try refuseUnreadIndicators(flow: flow)
            let c = Character(Unicode.Scalar(first))
            // In [ ] and { } libyaml takes every `:` that starts a token for a value indicator.
            if "#,[]{}|>%@`".contains(c) || ("-?:".contains(c) && Self.isSpaceOrEnd(byte(1))) || (flow && c == ":") {
                throw failure("a value cannot start with '\(c)'")
            }
        }
        let start = i
        var end = i
        while let b = byte(), !Self.isBreak(b) {
            if b == UInt8(ascii: ":") && flow && (Self.isFlowIndicator(byte(1)) || isAt("?", 1)) {
                throw failure("a ':' right before ',', '?' or a bracket inside [ ] or { }: put a space after it")
            }
            if b == UInt8(ascii: ":") && Self.isSpaceOrEnd(byte(1)) { break }
            if Self.isBlank(b) && isAt("#", 1) { break }
            if flow && Self.isFlowIndicator(b) { break }
            i += 1
            if !Self.isBlank(b) { end = i }
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A block plain scalar's further lines: those indented more than `parent`, folded into it
    /// (a line break becomes a space, each empty line a line break). A comment ends it. Like
    /// libyaml's scanner, it takes the blank lines and the next line's indentation with it.
    private mutating func plainContinuation(_ first: String, parent: Int) throws(PolicySyntaxError) -> String {
        var text = first
        while true {
            skipBlanks()
            guard atLineEnd, !atEnd else {
                try endOfNode()
                return text
            }
            consumeBreak()
            let emptyLines = try skipEmptyLines(parent: parent)
            guard !atEnd, !isAt("#"), !isDocumentMarker, i - lineStart > parent else {
                // It ends; the cursor is on the next line's content, a comment or a marker.
                if isAt("#") {
                    while !atLineEnd { i += 1 }
                    if !atEnd { consumeBreak() }
                    _ = try nextContentLine()
                }
                return text
            }
            let segment = try plainLine(flow: false, continuing: true)
            if isAt(":") { throw failure("mapping values are not allowed in this context") }
            text += emptyLines == 0 ? " " : String(repeating: "\n", count: emptyLines)
            text += segment
        }
    }

    /// From the start of the line after a plain scalar's line break: past the empty lines to the
    /// next line's first non-blank (or a document marker, or the end); how many were empty.
    /// libyaml's plain scanner takes a tab in the columns that indent the enclosing block
    /// collection (`parent` and left of it) for a broken indentation, in [ ] and { } too.
    private mutating func skipEmptyLines(parent: Int) throws(PolicySyntaxError) -> Int {
        var emptyLines = 0
        while !isDocumentMarker {
            while isAt(" ") { i += 1 }
            if isAt("\t") && i - lineStart <= parent { throw failure("a tab in the indentation: YAML indents with spaces") }
            skipBlanks()
            guard atLineEnd, !atEnd else { break }
            emptyLines += 1
            consumeBreak()
        }
        return emptyLines
    }

    /// A `'…'` or `"…"` scalar, the cursor on its opening quote; returns after the closing one.
    private mutating func quoted() throws(PolicySyntaxError) -> String {
        let quote = bytes[i]
        i += 1
        var out: [UInt8] = []
        var kept = 0   // escapes write blanks that folding must not trim
        while true {
            guard let b = byte() else { throw failure("a quoted string is not closed") }
            if b == quote {
                if quote == UInt8(ascii: "'") && isAt("'", 1) {
                    out.append(b)
                    i += 2
                    continue
                }
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if Self.isBreak(b) {
                while out.count > kept, let last = out.last, Self.isBlank(last) { out.removeLast() }
                consumeBreak()
                var emptyLines = 0
                while true {
                    guard !isDocumentMarker else { throw failure("a document marker (--- or ...) inside a quoted string") }
                    skipBlanks()
                    guard atLineEnd, !atEnd else { break }
                    emptyLines += 1
                    consumeBreak()
                }
                out += emptyLines == 0 ? [0x20] : [UInt8](repeating: 0x0A, count: emptyLines)
                continue
            }
            if quote == UInt8(ascii: "\"") && b == UInt8(ascii: "\\") {
                i += 1
                guard let e = byte() else { throw failure("a quoted string is not closed") }
                if Self.isBreak(e) {
                    consumeBreak()
                    skipBlanks()
                } else {
                    try escape(e, into: &out)
                }
                kept = out.count
                continue
            }
            out.append(b)
            i += 1
        }
    }

    /// YAML's one-character escapes (1.2 spec, 5.7) and the character each stands for.
    private static let singleEscapes: [UInt8: UInt32] = [
        UInt8(ascii: "0"): 0, UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "t"): 9, 0x09: 9,
        UInt8(ascii: "n"): 10, UInt8(ascii: "v"): 11, UInt8(ascii: "f"): 12, UInt8(ascii: "r"): 13,
        UInt8(ascii: "e"): 27, 0x20: 32, UInt8(ascii: "\""): 34, UInt8(ascii: "/"): 47, UInt8(ascii: "\\"): 92,
        UInt8(ascii: "N"): 0x85, UInt8(ascii: "_"): 0xA0, UInt8(ascii: "L"): 0x2028, UInt8(ascii: "P"): 0x2029,
    ]

    /// One double-quoted escape, the cursor on the character after the backslash.
    private mutating func escape(_ e: UInt8, into out: inout [UInt8]) throws(PolicySyntaxError) {
        let digits: Int
        switch e {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default: digits = 0
        }
        var value: UInt32 = 0
        if digits == 0 {
            guard let single = Self.singleEscapes[e] else { throw failure("unknown escape '\\\(Character(Unicode.Scalar(e)))'") }
            value = single
        }
        for k in stride(from: 1, through: digits, by: 1) {
            guard let b = byte(k), let d = Hex.digit(b) else { throw failure("an escape needs \(digits) hex digits") }
            value = value << 4 | UInt32(d)
        }
        guard let scalar = Unicode.Scalar(value) else { throw failure("the escape names no Unicode character") }
        i += 1 + digits
        out += Array(String(scalar).utf8)
    }

    private enum Chomping { case strip, clip, keep }

    /// A `|` (lines kept) or `>` (lines folded) scalar, the cursor on the indicator.
    private mutating func blockScalar(parent: Int) throws(PolicySyntaxError) -> PolicyNode {
        let literal = isAt("|")
        i += 1
        var chomping: Chomping?
        var explicit: Int?
        for _ in 0..<2 {
            if chomping == nil && (isAt("+") || isAt("-")) {
                chomping = isAt("+") ? .keep : .strip
                i += 1
            } else if explicit == nil, let b = byte(), (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(b) {
                explicit = Int(b - UInt8(ascii: "0"))
                i += 1
            }
        }
        guard Self.isSpaceOrEnd(byte()) || isAt("#") else { throw failure("expected a line break after the block scalar's header") }
        try finishLine()
        let minimum = max(parent + 1, 1)
        let indentation: Int
        if let explicit {
            indentation = max(parent, 0) + explicit
        } else {
            indentation = max(try detectedIndentation(), minimum)
        }
        var lines: [ArraySlice<UInt8>] = []
        var endedWithBreak = false
        while !atEnd {
            let begin = i
            var spaces = 0
            while spaces < indentation && isAt(" ") {
                i += 1
                spaces += 1
            }
            if spaces < indentation && isAt("\t") { throw failure("a tab in a block scalar's indentation") }
            if spaces < indentation {
                skipBlanks()
                guard atLineEnd, !atEnd else {
                    i = begin
                    break
                }
                lines.append([])
                consumeBreak()
                continue
            }
            let start = i
            while !atLineEnd { i += 1 }
            if start == i && atEnd { break }   // blanks after the last line break are no line
            lines.append(bytes[start..<i])
            endedWithBreak = !atEnd
            if !atEnd { consumeBreak() }
        }
        var trailing = 0
        while let last = lines.last, last.isEmpty {
            lines.removeLast()
            trailing += 1
        }
        var body: [UInt8] = []
        if literal {
            for (n, text) in lines.enumerated() {
                if n > 0 { body.append(0x0A) }
                body += text
            }
        } else {
            var emptyLines = 0, previousFolds = false, started = false
            for text in lines {
                if text.isEmpty {
                    emptyLines += 1
                    continue
                }
                let folds = !Self.isBlank(text.first)
                if started {
                    body += previousFolds && folds && emptyLines == 0 ? [0x20]
                        : [UInt8](repeating: 0x0A, count: previousFolds && folds ? emptyLines : emptyLines + 1)
                } else {
                    body += [UInt8](repeating: 0x0A, count: emptyLines)
                }
                body += text
                started = true
                previousFolds = folds
                emptyLines = 0
            }
        }
        switch chomping ?? .clip {
        case .strip: break
        case .clip: if !lines.isEmpty && (endedWithBreak || trailing > 0) { body.append(0x0A) }
        case .keep: body += [UInt8](repeating: 0x0A, count: (lines.isEmpty ? 0 : (endedWithBreak || trailing > 0 ? 1 : 0)) + trailing)
        }
        _ = try nextContentLine()
        return .scalar(String(decoding: body, as: UTF8.self), plain: false)
    }

    /// A block scalar's indentation as libyaml detects it: that of its first line with content,
    /// or of a wider blank line before it (which then ends a scalar indented less, where the YAML
    /// spec calls the document broken).
    private mutating func detectedIndentation() throws(PolicySyntaxError) -> Int {
        var j = i
        var widest = 0
        while j < bytes.count {
            var spaces = 0
            while j < bytes.count && bytes[j] == 0x20 {
                j += 1
                spaces += 1
            }
            if j < bytes.count && bytes[j] == 0x09 {
                let saved = i
                i = j
                defer { i = saved }
                throw failure("a tab in a block scalar's indentation")
            }
            widest = max(widest, spaces)
            if j < bytes.count && !Self.isBreak(bytes[j]) { return widest }
            guard j < bytes.count else { break }
            j += bytes[j] == 0x0D && j + 1 < bytes.count && bytes[j + 1] == 0x0A ? 2 : 1
        }
        return widest
    }

    // MARK: Flow collections

    /// A node inside (or opening) `[ ]` or `{ }`, which may run over any number of lines.
    /// `parent` is the indentation of the block collection around it (-1 for none).
    private mutating func flowNode(parent: Int) throws(PolicySyntaxError) -> PolicyNode {
        try enterNode()
        defer { depth -= 1 }
        try skipFlowSpace()
        guard let b = byte() else { throw failure("the document ends inside [ ] or { }") }
        switch b {
        case UInt8(ascii: "["):
            i += 1
            var items: [PolicyNode] = []
            while true {
                try skipFlowSpace()
                if isAt("]") { break }
                items.append(try flowNode(parent: parent))
                try skipFlowSpace()
                if isAt(":") { throw failure("key: value pairs inside [ ] are not read in a policy") }
                if isAt("]") { break }
                guard isAt(",") else { throw failure("expected ',' or ']'") }
                i += 1
            }
            i += 1
            return .sequence(items)
        case UInt8(ascii: "{"):
            i += 1
            var entries: [PolicyNode.Entry] = []
            var seen: Set<String> = []
            while true {
                try skipFlowSpace()
                if isAt("}") { break }
                guard !isAt("[") && !isAt("{") else { throw failure("a list or mapping as a key is not read in a policy") }
                let quotedKey = isAt("\"") || isAt("'")
                let keyStart = mark
                let key = quotedKey ? try quoted() : try flowPlain(parent: parent)
                guard seen.insert(key).inserted else {
                    throw failure("the key '\(key)' is written twice", at: keyStart)
                }
                try skipFlowSpace()
                var value = PolicyNode.empty
                if isAt(":") {
                    try checkImplicitKey(from: keyStart)
                    i += 1
                    try skipFlowSpace()
                    if !isAt(",") && !isAt("}") { value = try flowNode(parent: parent) }
                    try skipFlowSpace()
                }
                entries.append(PolicyNode.Entry(key: key, value: value))
                if isAt("}") { break }
                guard isAt(",") else { throw failure("expected ',' or '}'") }
                i += 1
            }
            i += 1
            return .mapping(entries)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .scalar(try quoted(), plain: false)
        default:
            if b == UInt8(ascii: "-") && Self.isSpaceOrEnd(byte(1)) { throw failure("a block list inside [ ] or { }") }
            return .scalar(try flowPlain(parent: parent), plain: true)
        }
    }

    /// A plain scalar inside `[ ]` or `{ }`, its lines folded.
    private mutating func flowPlain(parent: Int) throws(PolicySyntaxError) -> String {
        var text = try plainLine(flow: true)
        while true {
            let saved = (i, lineStart, line)
            skipBlanks()
            guard atLineEnd, !atEnd else {
                (i, lineStart, line) = saved
                break
            }
            consumeBreak()
            let emptyLines = try skipEmptyLines(parent: parent)
            let stops = atEnd || isDocumentMarker || isAt("#") || Self.isFlowIndicator(byte()) || (isAt(":") && (Self.isSpaceOrEnd(byte(1)) || Self.isFlowIndicator(byte(1))))
            guard !stops else {
                (i, lineStart, line) = saved
                break
            }
            let segment = try plainLine(flow: true, continuing: true)
            text += emptyLines == 0 ? " " : String(repeating: "\n", count: emptyLines)
            text += segment
        }
        return text
    }

    /// Blanks, line breaks and comments between the tokens of `[ ]` and `{ }`.
    /// A document marker there ends the document inside them, which libyaml refuses.
    private mutating func skipFlowSpace() throws(PolicySyntaxError) {
        while let b = byte() {
            guard !isDocumentMarker else { throw failure("a document marker (--- or ...) inside [ ] or { }") }
            if Self.isBlank(b) {
                i += 1
            } else if Self.isBreak(b) {
                consumeBreak()
            } else if b == UInt8(ascii: "#") {
                while !atLineEnd { i += 1 }
            } else {
                break
            }
        }
    }

    // MARK: Lines

    /// The indentation of the line the cursor is on, where only spaces precede it: -1 on a
    /// document marker, which ends every block; nil at the end.
    private var nextIndent: Int? { atEnd ? nil : isDocumentMarker ? -1 : i - lineStart }

    /// From the start of a line: past blank and comment lines to the first character of the next
    /// line with content (nil at the end).
    private mutating func nextContentLine() throws(PolicySyntaxError) -> Int? {
        while !atEnd {
            try skipSpacesBeforeToken()
            if isAt("#") { while !atLineEnd { i += 1 } }
            guard atLineEnd else { return nextIndent }
            if !atEnd { consumeBreak() }
        }
        return nil
    }

    /// The rest of a value's line holds nothing but blanks and a comment: on to the next line
    /// with content.
    private mutating func endOfNode() throws(PolicySyntaxError) {
        try finishLine()
        _ = try nextContentLine()
    }

    private mutating func finishLine() throws(PolicySyntaxError) {
        skipBlanks()
        if isAt("#") { while !atLineEnd { i += 1 } }   // between tokens a `#` needs no blank before it
        guard atLineEnd else { throw failure("unexpected content after the value") }
        if !atEnd { consumeBreak() }
    }

    /// LF, CRLF or a lone CR.
    private mutating func consumeBreak() {
        if isAt("\r") {
            i += 1
            if isAt("\n") { i += 1 }
        } else if isAt("\n") {
            i += 1
        }
        line += 1
        lineStart = i
    }

    // MARK: The cursor

    private var atEnd: Bool { i >= bytes.count }
    private var atLineEnd: Bool { atEnd || Self.isBreak(bytes[i]) }
    private func byte(_ offset: Int = 0) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
    private func isAt(_ c: Unicode.Scalar, _ offset: Int = 0) -> Bool { byte(offset) == UInt8(ascii: c) }
    private var isSequenceEntry: Bool { isAt("-") && Self.isSpaceOrEnd(byte(1)) }
    private var isDocumentMarker: Bool { i == lineStart && isDocumentMarkerAt(i) }
    private var isDocumentMarkerLine: Bool { isDocumentMarkerAt(lineStart) }

    /// `---` or `...` at `start`, then a blank, a line break or the end.
    private func isDocumentMarkerAt(_ start: Int) -> Bool {
        guard start + 3 <= bytes.count, start == 0 || Self.isBreak(bytes[start - 1]) || start == 3 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return false }
        let three = bytes[start..<start + 3]
        guard three.elementsEqual("---".utf8) || three.elementsEqual("...".utf8) else { return false }
        return start + 3 == bytes.count || Self.isBlank(bytes[start + 3]) || Self.isBreak(bytes[start + 3])
    }

    private mutating func enterNode() throws(PolicySyntaxError) {
        depth += 1
        guard depth <= InputLimits.maxNestingDepth else {
            throw failure("nested deeper than \(InputLimits.maxNestingDepth) levels: not a policy")
        }
    }

    private mutating func skipBlanks() { while let b = byte(), Self.isBlank(b) { i += 1 } }

    /// Spaces where a block token may start (a line's indentation, after `- `), where libyaml
    /// takes a tab for the start of a token that cannot start with one, even on a line that is
    /// otherwise blank; a policy it refuses must not pass here.
    private mutating func skipSpacesBeforeToken() throws(PolicySyntaxError) {
        while isAt(" ") { i += 1 }
        guard !isAt("\t") else { throw failure("a tab where YAML takes only spaces (indentation, after '- ')") }
    }

    /// In [ ] and { } libyaml takes every `?` that starts a token for a complex key's indicator.
    private mutating func refuseUnreadIndicators(flow: Bool) throws(PolicySyntaxError) {
        if isAt("&") || isAt("*") || isAt("!") { throw failure("anchors (&), aliases (*) and tags (!) are not read in a policy") }
        if isAt("?") && (flow || Self.isSpaceOrEnd(byte(1))) { throw failure("complex keys (?) are not read in a policy") }
    }

    /// YAML's printable characters only (its 1.2 spec, 5.1): no C0 or C1 control other than
    /// tab, line feed and carriage return, no DEL, no U+FFFE/U+FFFF. Also refused: NEL, LS and PS,
    /// which libyaml (YAML 1.1) breaks lines at and YAML 1.2 does not, so a policy holding one
    /// would mean one thing here and another there; and a BOM after the first character, which
    /// libyaml drops wherever it stands.
    private static func refuseControlCharacters(_ text: String) throws(PolicySyntaxError) {
        var lineNumber = 1, column = 1
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let v = scalar.value
            let printable = v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0x7E).contains(v)
                || (0xA0...0xFFFD).contains(v) || v >= 0x10000
            let problem: String? = switch v {
            case 0x85, 0x2028, 0x2029: "U+\(String(v, radix: 16, uppercase: true)), a line break in YAML 1.1 and not in 1.2, is not read in a policy"
            case 0xFEFF where offset > 0: "a byte order mark (U+FEFF) after the start is not read in a policy"
            default: printable ? nil : "control character U+\(String(v, radix: 16, uppercase: true)) is not allowed in YAML"
            }
            if let problem { throw PolicySyntaxError(line: lineNumber, column: column, problem: problem) }
            if v == 0x0A {
                lineNumber += 1
                column = 1
            } else {
                column += 1
            }
        }
    }

    /// A place to name in an error later: its column is counted only then, since counting it
    /// for every key of a 1 MiB line made reading one quadratic (22 s).
    private struct Mark {
        var offset: Int
        var lineStart: Int
        var line: Int
    }

    private var mark: Mark { Mark(offset: i, lineStart: lineStart, line: line) }

    private func failure(_ problem: String) -> PolicySyntaxError { failure(problem, at: mark) }

    private func failure(_ problem: String, at mark: Mark) -> PolicySyntaxError {
        let column = bytes[mark.lineStart..<min(mark.offset, bytes.count)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return PolicySyntaxError(line: mark.line, column: column, problem: problem)
    }

    private static func isBreak(_ b: UInt8?) -> Bool { b == 0x0A || b == 0x0D }
    private static func isBlank(_ b: UInt8?) -> Bool { b == 0x20 || b == 0x09 }
    /// A blank, a line break or the end: what must follow an indicator such as `- ` or `: `.
    private static func isSpaceOrEnd(_ b: UInt8?) -> Bool { b == nil || isBlank(b) || isBreak(b) }
    private static func isFlowIndicator(_ b: UInt8?) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b == UInt8(ascii: "{") || b == UInt8(ascii: "}")
    }
}
