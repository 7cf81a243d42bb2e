#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes a report or snapshot so that readers (node_exporter, NFD, CI) never see half of it:
/// a temporary file in the same directory, fsync, then rename over the target.
public enum OutputFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(dir.isEmpty ? "/" : dir)/.\(base).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(description: "\(path): cannot create a temporary file: \(String(cString: strerror(errno)))") }
        let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd)
                throw WriteError(description: "\(path): write failed: \(message)")
            }
            offset += n
        }
        fchmod(fd, 0o644)
        guard fsync(fd) == 0, close(fd) == 0 else { throw WriteError(description: "\(path): cannot flush: \(String(cString: strerror(errno)))") }
        guard rename(temp, path) == 0 else { throw WriteError(description: "\(path): cannot rename into place: \(String(cString: strerror(errno)))") }
        ok = true
    }
}
