import FoundationEssentials
import Glibc

/// The formats of `check --format`, and the one table from a format to its renderer: for people
/// (text, html), for programs (json), and for the systems that gate or schedule on the answer
/// (junit for CI, prometheus for node_exporter's textfile collector, nfd for Kubernetes Node
/// Feature Discovery).
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, html, junit, prometheus, nfd

    /// What a renderer may need besides the report: the run time that JUnit, Prometheus and NFD
    /// print, and the terminal's wishes for text.
    public struct Options: Sendable {
        public var now: Date
        public var color: Bool
        public var quiet: Bool

        public init(now: Date, color: Bool = false, quiet: Bool = false) {
            self.now = now
            self.color = color
            self.quiet = quiet
        }
    }

    public func renderer(_ options: Options) -> any ReportRenderer {
        switch self {
        case .text: TextRenderer(color: options.color, quiet: options.quiet)
        case .json: JSONRenderer()
        case .html: HTMLRenderer()
        case .junit: JUnitRenderer(timestamp: options.now)
        case .prometheus: PrometheusRenderer(timestamp: options.now)
        case .nfd: NFDRenderer(now: options.now)
        }
    }
}
