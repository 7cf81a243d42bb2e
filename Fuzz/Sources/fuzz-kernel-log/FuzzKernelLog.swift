import FuzzSupport
import HostModel

/// libFuzzer entry: one input, parsed as a pasted kernel log (dmesg, journalctl -k).
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = KernelLogParser.looksLikeKernelLog(text.prefix(4096))
    _ = try? KernelLogParser.parse(text, source: "fuzz")
    _ = KernelLogParser.entries(text)
    return 0
}

@_cdecl("fuzz_kernel_log_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
