import FuzzSupport
import HostModel

/// libFuzzer entry: one input, parsed as a `cpuid -r` dump (what `--from` and a tree's cpuid-r.txt give).
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = CPUIDDumpParser.looksLikeDump(text.prefix(4096))
    _ = try? CPUIDDumpParser.parse(text, source: "fuzz")
    return 0
}

@_cdecl("fuzz_cpuid_dump_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
