/// One libFuzzer input, seen the way virtcheck's readers see untrusted data.
public enum FuzzInput {
    /// The bytes as text. Invalid UTF-8 becomes U+FFFD, as `HostRoot.readText` decodes a captured
    /// tree's files; `--from` refuses such files earlier, so the parsers must cope with both.
    public static func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    }

    /// The bytes as they came (ACPI tables, PCI config space).
    public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }
}
