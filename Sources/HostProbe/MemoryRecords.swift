/// Arrays of C structs as the bytes they occupy, for the pipes between `check` and its own
/// guest-run child: both ends are this one binary, so the layout is the same on both, and
/// copying the bytes costs next to nothing where encoding the same answers as JSON in the child
/// (and decoding them in the parent) cost the child 3 M of its 4.9 M instructions (callgrind,
/// issue 16). Bytes read back are checked for their length only: the structs sent this way hold
/// integers alone, for which any bit pattern is a value.
enum MemoryRecords {
    /// The bytes of `values`, one record after another.
    static func bytes<Record: BitwiseCopyable>(of values: [Record]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// The records in `bytes`; nil unless they are whole records, at most `limit` of them.
    static func records<Record: BitwiseCopyable>(_ type: Record.Type, in bytes: ArraySlice<UInt8>, limit: Int) -> [Record]? {
        let stride = MemoryLayout<Record>.stride
        guard bytes.count % stride == 0, bytes.count / stride <= limit else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<bytes.count / stride).map { raw.loadUnaligned(fromByteOffset: $0 * stride, as: Record.self) }
        }
    }
}
