import Analysis
import FuzzSupport
import HostModel

/// libFuzzer entry: one input, parsed as pasted `lspci -vvv` / `lspci -xxxx` output; each verbose
/// block is then read by the capability decoder and each dump decoded as config space, as
/// `check --from` does. Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = LspciParser.kind(of: text.prefix(4096))
    guard let parsed = try? LspciParser.parse(text, source: "fuzz") else { return 0 }
    for device in parsed.devices {
        if let bytes = device.config {
            _ = try? PCIConfigDecoder.decode(bytes)
        } else {
            _ = LspciCapabilityDecoder.decode(device.text, label: device.address)
        }
    }
    return 0
}

@_cdecl("fuzz_lspci_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
