import FuzzSupport
import HostModel

/// libFuzzer entry: one input, parsed as a copy of /proc/cpuinfo.
/// Errors are expected; crashes, hangs and sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    _ = CPUInfo.looksLikeCPUInfo(text.prefix(4096))
    if let info = try? CPUInfo.parse(text, source: "fuzz") {
        for p in info.processors { _ = (p.value("flags"), p.list("vmx flags")) }
    }
    return 0
}

@_cdecl("fuzz_cpuinfo_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzOne)
}
