import Analysis
import FuzzSupport

/// libFuzzer entry: one input, parsed as an ACPI DMAR table (Intel VT-d).
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? DMARParser.parse(FuzzInput.bytes(data, size))
    return 0
}

@_cdecl("fuzz_dmar_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
