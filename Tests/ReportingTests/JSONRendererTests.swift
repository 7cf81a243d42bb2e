import Analysis
import Foundation
import HostModel
import HostProbe
@testable import Reporting
import Testing
import VirtCheckTestSupport

/// `JSONRenderer` encodes the findings and the Popek–Goldberg analysis beside the rest and puts
/// them in their places (issue 16): the text must be the report encoded whole, for every capture
/// in Data/hosts.
struct JSONRendererTests {
    static let captures: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: Tool.repoPath("Data/hosts"))) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted().map { Tool.repoPath("Data/hosts/\($0)") }

    @Test func theReportIsTheOneEncodedWhole() throws {
        #expect(Self.captures.count >= 5)
        for path in Self.captures {
            let report = Report(Assessor.assess(try OfflineLoader.load(paths: [path])))
            #expect(try JSONRenderer().render(report) == ReportEncoder.encode(report).serialized() + "\n", "\(path)")
            #expect(!report.findings.isEmpty && report.popekGoldberg != nil, "\(path): both parts are there to place")
        }
    }
}
