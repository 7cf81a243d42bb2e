import ArgumentParser
import Emulator
import Foundation
import HostModel

/// `virtcheck verify`: runs the built-in VMX/SVM instruction model against the conformance
/// vectors written from the Intel SDM and AMD APM (Data/spec), plus any given with `--vectors`.
/// Exit 0 when every vector passes, 1 on any mismatch, 2 when a vector file is unusable.
public struct VerifyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks the built-in VMX/SVM instruction model against conformance vectors from the Intel SDM and AMD APM.",
        discussion: """
        The model runs as the reference CPU (Intel Xeon Platinum 8180 VMX capability MSRs), the \
        configuration the built-in vectors are written for. Vector format: Data/spec/README.md.
        """
    )

    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, json
    }

    @Option(name: .customLong("vectors"), help: "A vector file, or a folder of *.vectors files, to run besides the built-in suite (repeatable).")
    public var vectorPaths: [String] = []

    @Option(help: "Output format: text or json.")
    public var format: Format = .text

    public init() {}

    public func run() throws {
        let report: VerificationReport
        do {
            var extra: [ConformanceVector] = []
            for path in vectorPaths { extra += try VectorFiles.load(path) }
            report = try VerificationReport.verify(extra: extra)
        } catch {
            FileHandle.standardError.write(Data("virtcheck verify: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .text:
            print(Self.text(report), terminator: "")
        }
        if !report.allPassed { throw ExitCode(1) }
    }

    static func text(_ report: VerificationReport) -> String {
        var out = "VMX/SVM instruction model vs. SDM/APM conformance vectors\n"
        out += "configuration: \(report.configuration)\n\n"
        for summary in report.instructions where summary.vectors > 0 {
            let mark = summary.passed == summary.vectors ? "ok  " : "FAIL"
            out += "\(mark) \(summary.instruction.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(summary.passed)/\(summary.vectors)\n"
        }
        for failure in report.failures {
            out += "\n\(failure.file):\(failure.line): \(failure.name) (\(failure.citation))\n"
            for mismatch in failure.mismatches { out += "    \(mismatch)\n" }
        }
        out += "\n\(report.passed)/\(report.vectors) vectors passed\n"
        return out
    }
}
