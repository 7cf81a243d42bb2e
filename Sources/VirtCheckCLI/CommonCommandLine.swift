/// The command lines most runs use, read without ArgumentParser: `virtcheck` alone,
/// `virtcheck check …` and `virtcheck capture …` with their long options, each name and each value
/// a word of its own. ArgumentParser's parse reflects over every option of the command tree,
/// parses the words a second time for its completion-script flag, and pays the first
/// protocol-conformance lookups of all that: a fifth of a `check --from` (callgrind, issue 16).
///
/// Anything else is nil and goes through ArgumentParser, so its help, messages and exit codes stay
/// the contract: help and version, `--name=value`, short or abbreviated names, a value that starts
/// with `-` or is `help`, a single-valued option given twice, an unknown format or profile, `--from`
/// with `--root`. `CommonCommandLineTests` holds that ArgumentParser reads every command line
/// read here to the same request.
enum CommonCommandLine {
    /// A command line read, and the work it asks for.
    enum Command: Equatable {
        case check(CheckRequest)
        case capture(CaptureRequest)
    }

    static func parse(_ arguments: [String]) -> Command? {
        guard let first = arguments.first else { return .check(CheckRequest()) }
        var reader = Reader(words: arguments.dropFirst())
        switch first {
        case "check": return check(&reader).map(Command.check)
        case "capture": return capture(&reader).map(Command.capture)
        default: return nil
        }
    }

    private static func check(_ reader: inout Reader) -> CheckRequest? {
        var request = CheckRequest()
        while let name = reader.words.popFirst() {
            switch name {
            case "--profile":
                guard let value = reader.value() else { return nil }
                request.profiles.append(value)
            case "--policy":
                guard let value = reader.single(name) else { return nil }
                request.policy = value
            case "--strict":
                guard reader.once(name) else { return nil }
                request.strict = true
            case "--format":
                guard let value = reader.single(name), let format = OutputFormat(rawValue: value) else { return nil }
                request.format = format
            case "--output":
                guard let value = reader.single(name) else { return nil }
                request.output = value
            case "--quiet":
                guard reader.once(name) else { return nil }
                request.quiet = true
            default:
                guard input(name, &reader, &request.input) else { return nil }
            }
        }
        guard request.input.conflict == nil, request.unknownProfiles.isEmpty else { return nil }
        return request
    }

    private static func capture(_ reader: inout Reader) -> CaptureRequest? {
        var request = CaptureRequest()
        while let name = reader.words.popFirst() {
            switch name {
            case "--output":
                guard let value = reader.single(name) else { return nil }
                request.output = value
            default:
                guard input(name, &reader, &request.input) else { return nil }
            }
        }
        guard request.input.conflict == nil else { return nil }
        return request
    }

    /// `HostInputOptions`' names, shared by both commands; false for any other word or a misuse.
    private static func input(_ name: String, _ reader: inout Reader, _ input: inout HostInput) -> Bool {
        switch name {
        case "--from":
            guard let value = reader.value() else { return false }
            input.from.append(value)
        case "--root":
            guard let value = reader.single(name) else { return false }
            input.root = value
        case "--no-guest":
            guard reader.once(name) else { return false }
            input.noGuest = true
        case "--load-msr-driver":
            guard reader.once(name) else { return false }
            input.loadMsrDriver = true
        default:
            return false
        }
        return true
    }

    /// The words after the command, and the single-valued names already given.
    private struct Reader {
        var words: ArraySlice<String>
        var given: [String] = []

        /// The word after an option name, when it can only be read as its value.
        mutating func value() -> String? {
            guard let word = words.popFirst(), !word.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            return word
        }

        /// False when `name`, which may be given once, was given before.
        mutating func once(_ name: String) -> Bool {
            guard !given.contains(name) else { return false }
            given.append(name)
            return true
        }

        /// The value of an option that may be given once.
        mutating func single(_ name: String) -> String? {
            once(name) ? value() : nil
        }
    }
}
