import Analysis
import FuzzSupport
import HostModel

/// libFuzzer entry: one input as the IOMMU register files sysfs exposes — line 1 `cap`, line 2
/// `ecap` (intel-iommu), line 3 `features` (amd-iommu, `EFR` or `EFR:EFR2`) — parsed and decoded
/// as IOMMUDecoder does; the first 16 bytes also go in raw, so every register value is reachable.
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let lines = FuzzInput.text(data, size).split(separator: "\n", omittingEmptySubsequences: false)
    let line = { (i: Int) in i < lines.count ? lines[i] : "" }
    if let cap = Hex.parse(line(0)), let ecap = Hex.parse(line(1)) {
        _ = IntelIOMMUDecoder.decode(cap: cap, ecap: ecap)
    }
    if let efr = AMDIOMMUDecoder.parseFeatures(String(line(2))) {
        _ = AMDIOMMUDecoder.decode(cap: Hex.parse32(line(0)), efr: efr)
    }
    let raw = FuzzInput.bytes(data, min(size, 16)) + [UInt8](repeating: 0, count: 16 - min(size, 16))
    let cap = raw[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let ecap = raw[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    _ = IntelIOMMUDecoder.decode(cap: cap, ecap: ecap)
    _ = AMDIOMMUDecoder.decode(cap: UInt32(truncatingIfNeeded: cap), efr: ecap)
    return 0
}

@_cdecl("fuzz_iommu_registers_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
