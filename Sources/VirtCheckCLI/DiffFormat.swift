import ArgumentParser

/// Formats of `diff --format`.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
