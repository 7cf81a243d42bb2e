import ArgumentParser
import Reporting

/// `check --format`: the formats and their renderers are Reporting's `ReportFormat`.
typealias OutputFormat = ReportFormat

extension ReportFormat: ExpressibleByArgument {}
