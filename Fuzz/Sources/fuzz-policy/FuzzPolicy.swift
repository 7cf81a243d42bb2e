import Analysis
import FuzzSupport

/// libFuzzer entry: one input, parsed as a `--policy` file (YAML or JSON through Yams).
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? PolicyParser.parse(FuzzInput.text(data, size))
    return 0
}

@_cdecl("fuzz_policy_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
