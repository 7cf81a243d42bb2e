extension GuestProgram {
    /// A `--program` argument that is not `NAME:MODE:HEX`.
    public struct SpecError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `NAME:MODE:HEX` (`__guest-run --program`): a program to run as given, with no
    /// expected value and no paging check, for the differential runs against the interpreter.
    public init(spec: String) throws(SpecError) {
        let parts = spec.split(ascii: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, let mode = Mode(rawValue: parts[1]), parts[2].count % 2 == 0 else {
            throw SpecError(description: "--program wants NAME:MODE:HEX, got \(spec)")
        }
        let hex = Array(parts[2].utf8)
        var code: [UInt8] = []
        for i in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) else {
                throw SpecError(description: "bad hex in \(spec)")
            }
            code.append(byte)
        }
        self.init(name: parts[0], mode: mode, code: code, expected: nil, checksPaging: false)
    }
}
