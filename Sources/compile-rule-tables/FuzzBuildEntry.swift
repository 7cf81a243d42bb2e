/// scripts/fuzz builds the whole package graph with `-sanitize=fuzzer`, build tools included
/// (SwiftPM applies `-Xswiftc` to them too), and libFuzzer's runtime, linked whole, needs this
/// symbol. The tool never fuzzes: its own `main` (the `@main` type) still runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBuildEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    0
}
