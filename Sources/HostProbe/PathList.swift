import FoundationEssentials
import Glibc
import HostModel

/// A list of host paths, one per line (`baseline --paths-from FILE`, '-' for stdin), read as it
/// goes so a pool of any size costs one line of memory.
public enum PathList {
    /// The longest line of a path list: Linux's PATH_MAX.
    public static let maxPathLength = 4096
    /// Hosts one pool may name: far beyond any fleet, far below what exhausts memory or time.
    public static let maxHosts = 100_000

    /// Calls `body` with each non-empty line of the file (or stdin), reading as it goes. A named
    /// file must be a regular file (a FIFO without a writer would block the open, /dev/zero is
    /// one endless line); stdin may be a pipe (`find … | virtcheck baseline --paths-from -`).
    /// Every line is bounded (PATH_MAX, no NUL) and so is their number.
    public static func eachLine(of file: String, _ body: (String) throws(InputError) -> Void) throws(InputError) {
        let fd: Int32
        if file == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw InputError(path: file, message: String(cString: strerror(errno))) }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                throw InputError(path: file, message: "not a regular file (a path list is a file, or '-' for stdin)")
            }
        }
        defer { if file != "-" { close(fd) } }
        var line: [UInt8] = []
        var lineNumber = 0, hosts = 0
        func finish() throws(InputError) {
            lineNumber += 1
            let path = String(decoding: line, as: UTF8.self).trimmed()
            line.removeAll(keepingCapacity: true)
            guard !path.isEmpty else { return }
            hosts += 1
            guard hosts <= maxHosts else {
                throw InputError(path: file, line: lineNumber, message: "more than \(maxHosts) host paths")
            }
            try body(path)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(path: file, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            for byte in chunk[0..<n] {
                if byte == UInt8(ascii: "\n") {
                    try finish()
                    continue
                }
                guard byte != 0 else { throw InputError(path: file, line: lineNumber + 1, message: "NUL byte: not a list of paths") }
                line.append(byte)
                guard line.count <= maxPathLength else {
                    throw InputError(path: file, line: lineNumber + 1, message: "line longer than \(maxPathLength) bytes (PATH_MAX): not a list of paths")
                }
            }
        }
        if !line.isEmpty { try finish() }
    }
}
