import FoundationEssentials
import Glibc

/// Reads one file of user input (`--from`, `--policy`, `--vectors`) within a size limit: only a
/// regular file, opened without blocking (a FIFO without a writer would otherwise hang the
/// open), checked on the open descriptor (a FIFO or device swapped in after a stat of the name
/// is still refused), refused by its size before reading, and read no further than the limit
/// (a file that grows while read). Text must be UTF-8 without NUL bytes.
public enum InputFile {
    public static func readText(_ path: String, limit: Int) throws(InputError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw InputError(path: path, message: describe(errno: errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw InputError(path: path, message: describe(errno: errno)) }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw InputError(path: path, message: "not a regular file" + (type == S_IFIFO ? " (a FIFO)" : type == S_IFCHR || type == S_IFBLK ? " (a device)" : type == S_IFDIR ? " (a directory)" : ""))
        }
        if st.st_size > limit {
            throw InputError(path: path, message: "file is \(st.st_size) bytes; this input is limited to \(describe(bytes: limit))")
        }
        var bytes: [UInt8] = []
        // Room for the size fstat gave (a file that grows meanwhile still grows the array).
        bytes.reserveCapacity(Int(st.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(path: path, message: describe(errno: errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { throw InputError(path: path, message: "input is larger than \(describe(bytes: limit)); this input is limited to that") }
        }
        guard !bytes.isEmpty else { throw InputError(path: path, message: "file is empty") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError(path: path, message: "not UTF-8 text")
        }
        // memchr, not a Swift loop over the bytes (two thirds of reading a snapshot's text; issue 16).
        if bytes.withUnsafeBytes({ buffer in buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false }) {
            throw InputError(path: path, message: "binary data (NUL bytes): not a text file")
        }
        return text
    }

    /// `32 MiB`, `1 MiB`, `64 KiB`.
    /// What reading a directory gave: its names, or that it holds more than the limit.
    public enum Listing: Sendable, Equatable {
        case names([String])
        case moreThan(Int)
        case unreadable
    }

    /// The names of the open directory `fd` (`.` and `..` left out), read one entry at a time and
    /// closed after; past `limit` names the reading stops: a directory planted with millions of
    /// entries costs `limit` reads, never millions of names in memory.
    public static func names(inDirectory fd: Int32, limit: Int) -> Listing {
        guard let dir = fdopendir(fd) else {
            close(fd)
            return .unreadable
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
            if names.count > limit { return .moreThan(limit) }
        }
        return .names(names)
    }

    /// The names in the directory a user named (`--from DIR`, `--vectors DIR`), at most `limit`;
    /// more is one line naming the limit, refused before the rest is read.
    public static func names(inDirectory path: String, limit: Int, holding what: String) throws(InputError) -> [String] {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw InputError(path: path, message: "cannot list directory: " + describe(errno: errno)) }
        switch names(inDirectory: fd, limit: limit) {
        case .names(let names): return names
        case .moreThan(let limit): throw InputError(path: path, message: "directory holds more than \(limit) entries; \(what)")
        case .unreadable: throw InputError(path: path, message: "cannot list directory")
        }
    }

    public static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }

    static func describe(errno err: Int32) -> String {
        "\(String(cString: strerror(err))) (errno \(err))"
    }
}
