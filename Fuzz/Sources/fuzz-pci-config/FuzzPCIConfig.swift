import Analysis
import FuzzSupport
import HostModel

/// libFuzzer entry: one input, decoded as PCI config space (header and both capability lists),
/// whole and as read in part (a snapshot's `--` bytes: each dword whose first byte is odd is
/// left unread), so the decoder's `notRead` paths meet every list shape too. Errors are
/// expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    _ = try? PCIConfigDecoder.decode(bytes)
    var region = PartialBytes(count: bytes.count)
    for dword in stride(from: 0, to: bytes.count, by: 4) where bytes[dword] & 1 == 0 {
        region.store(bytes[dword..<min(dword + 4, bytes.count)], at: dword)
    }
    _ = try? PCIConfigDecoder.decode(region)
    return 0
}

@_cdecl("fuzz_pci_config_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
