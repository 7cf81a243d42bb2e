/// libFuzzer's own driver, linked in by `-sanitize=fuzzer`. Declared here so that every target
/// hands control to it the same way.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// Starts libFuzzer. SwiftPM links an executable with its `main` renamed to `<module>_main`, so
/// libFuzzer's own `main` never runs: each target exports `<module>_main` with `@_cdecl` and
/// calls this.
public enum FuzzDriver {
    public typealias OneInput = @convention(c) (UnsafePointer<UInt8>, Int) -> Int32

    public static func run(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ oneInput: OneInput) -> Int32 {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, oneInput)
    }
}
