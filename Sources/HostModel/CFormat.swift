import Glibc

extension String {
    /// C's `printf` formatting of a fraction (`%.1f`, `%.2f ms`), through `vsnprintf`: the text
    /// Foundation's `String(format:)` gave, without linking Foundation (virtcheck links
    /// FoundationEssentials only: full Foundation and its ICU were 1.7 ms of every process start,
    /// issue 16). For numbers only: `%s` and `%@` have no place here; hex is `Hex.digits`.
    public init(cFormat format: String, _ arguments: any CVarArg...) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 64)
            let needed = Int(vsnprintf(&buffer, buffer.count, format, list))
            precondition(needed >= 0 && needed < buffer.count, "a number's format longer than 63 bytes: \(format)")
            return String(decoding: buffer.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Cut or padded with spaces to `width` characters: a column of a text table.
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
