import Analysis
import FuzzSupport
import HostProbe
import Reporting

/// libFuzzer entry: one input as a snapshot JSON, decoded and validated the way `--from` does
/// (OfflineLoader.decodeSnapshot); a snapshot that decodes then goes the whole way a real one
/// goes — facts, rules, report, JSON and text rendering — because every string and byte array in
/// it is untrusted too. Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let snapshot = try? OfflineLoader.decodeSnapshot(FuzzInput.text(data, size), path: "fuzz") else { return 0 }
    let report = Report(Assessor.assess(snapshot))
    _ = try? JSONRenderer().render(report)
    _ = TextRenderer(color: true, quiet: false).render(report)
    return 0
}

@_cdecl("fuzz_snapshot_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
