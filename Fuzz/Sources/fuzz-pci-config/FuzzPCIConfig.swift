import Analysis
import FuzzSupport

/// libFuzzer entry: one input, decoded as PCI config space (header and both capability lists).
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? PCIConfigDecoder.decode(FuzzInput.bytes(data, size))
    return 0
}

@_cdecl("fuzz_pci_config_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
