import ArgumentParser

/// Report formats of `--format`: for people (text, html), for programs (json), and for the
/// systems that gate or schedule on the answer (junit for CI, prometheus for node_exporter's
/// textfile collector, nfd for Kubernetes Node Feature Discovery).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, html, junit, prometheus, nfd
}
