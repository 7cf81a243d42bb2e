import ArgumentParser

/// Report formats of `--format`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
