import FuzzSupport
import HostModel

/// libFuzzer entry: one input, parsed as a pasted IOMMU group listing.
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = IOMMUListingParser.looksLikeListing(text.prefix(4096))
    _ = try? IOMMUListingParser.parse(text, source: "fuzz")
    return 0
}

@_cdecl("fuzz_iommu_listing_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
