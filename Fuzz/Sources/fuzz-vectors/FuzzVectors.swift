import Emulator
import FuzzSupport

/// libFuzzer entry: one input, parsed as a conformance-vector file (`verify --vectors`) and,
/// when it parses, run through the VMX/SVM model, whose state setters take untrusted values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let vectors = try? VectorParser.parse(FuzzInput.text(data, size), file: "fuzz") {
        _ = ConformanceRunner(capabilities: .reference).run(vectors)
    }
    return 0
}

@_cdecl("fuzz_vectors_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
