import CShims
import Glibc

extension String {
    /// C's `printf` formatting of one fraction (`%.1f`, `%.2f ms`): the text Foundation's
    /// `String(format:)` gave, without linking Foundation (virtcheck links FoundationEssentials
    /// only: full Foundation and its ICU were 1.7 ms of every process start, issue 16), and
    /// through a C shim rather than `withVaList`, whose first use cast the argument to a protocol
    /// and scanned every conformance record of the binary (0.85 M instructions as the guest run's
    /// evidence was read; callgrind, issue 16). For one number only: hex is `Hex.digits`.
    public init(cFormat format: String, _ value: Double) {
        var buffer = [CChar](repeating: 0, count: 64)
        let needed = Int(vc_format_double(&buffer, buffer.count, format, value))
        precondition(needed >= 0 && needed < buffer.count, "a number's format longer than 63 bytes: \(format)")
        self = String(decoding: buffer.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Cut or padded with spaces to `width` characters: a column of a text table.
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
