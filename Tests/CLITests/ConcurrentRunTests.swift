import Foundation
import Testing

/// Sixteen `virtcheck check --format json` runs at once on one host (a fleet agent and a CI job
/// colliding) all succeed and agree on everything but what is measured: timings and timestamps.
/// When the guest runner is present each run also runs its guest, so /dev/kvm is shared too.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct ConcurrentRunTests {
    /// Keys whose values are measurements or clocks (`exit_latency_ns`, `captured_at`, ...).
    static func isMeasured(_ key: String) -> Bool {
        key.hasSuffix("_ns") || key.hasSuffix("_at") || key.hasSuffix("_seconds") || key.hasSuffix("_ms")
            || key.contains("latency") || key.contains("timestamp") || key.contains("duration") || key.contains("elapsed")
    }

    /// The report with measured values removed, re-serialised with sorted keys for comparison.
    static func normalised(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { !isMeasured($0.key) }.mapValues(normalised)
        }
        if let array = value as? [Any] { return array.map(normalised) }
        if let text = value as? String {
            // Evidence sentences quote the measured medians ("median 8342 ns over 256 exits") and
            // host.memory the memory available now ("20.1 GiB of 23.5 GiB", "MemAvailable 22126180 kB").
            return text.replacingOccurrences(of: #"[0-9]+(\.[0-9]+)? (ns|µs)"#, with: "N ns", options: .regularExpression)
                .replacingOccurrences(of: #"[0-9]+(\.[0-9]+)? (kB|GiB)"#, with: "N", options: .regularExpression)
        }
        return value
    }

    @Test func sixteenSimultaneousRunsAgree() throws {
        let count = 16
        nonisolated(unsafe) var results = [VirtCheckBinary.Result?](repeating: nil, count: count)
        nonisolated(unsafe) var failures: [String] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: count) { i in
            do {
                let r = try VirtCheckBinary.run(["check", "--format", "json"], timeout: 240)
                lock.withLock { results[i] = r }
            } catch {
                lock.withLock { failures.append("run \(i): \(error)") }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        var reports: [Data] = []
        for case let r? in results {
            #expect(!r.timedOut)
            #expect([0, 1, 3].contains(r.status), "a verdict, not an error: \(r.stderr)")
            let json = try #require(r.json, "JSON report: \(r.stderr)")
            reports.append(try JSONSerialization.data(withJSONObject: Self.normalised(json), options: [.sortedKeys]))
        }
        #expect(reports.count == count)
        for (i, report) in reports.enumerated().dropFirst() {
            #expect(report == reports[0], "run \(i) disagrees with run 0")
        }
        #expect(Set(results.compactMap { $0?.status }).count == 1, "one exit code")
    }
}
