#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes a report or snapshot so that readers (node_exporter, NFD, CI) never see half of it:
/// a temporary file in the same directory, fsync, then rename over the target. A failed write
/// (disk full, file size limit) removes the temporary file and leaves the old target as it was.
public enum OutputFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        let bytes = Array(text.utf8)
        // A symlink is followed, so the link stays and the file it names is replaced.
        let target = realpath(path, nil).map { resolved in
            defer { free(resolved) }
            return String(cString: resolved)
        } ?? path
        var st = stat()
        if stat(target, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            // A FIFO nobody reads would block the open forever, and renaming over a device would
            // replace the node itself (as root, /dev/null with a regular file): refused, as every
            // input that is not a regular file is. Without --output the report goes to stdout.
            let type = st.st_mode & S_IFMT
            throw WriteError(description: "\(path): not a regular file" + (type == S_IFIFO ? " (a FIFO)" : type == S_IFCHR || type == S_IFBLK ? " (a device)" : type == S_IFDIR ? " (a directory)" : "")
                             + "; --output writes a file (leave it out to write to stdout)")
        }
        let slash = target.lastIndex(of: "/")
        let dir = slash.map { String(target[..<$0]) } ?? "."
        let base = slash.map { String(target[target.index(after: $0)...]) } ?? target
        var template = Array("\(dir.isEmpty ? "/" : dir)/.\(base).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(description: "\(path): cannot create a temporary file: \(String(cString: strerror(errno)))") }
        let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do throws(WriteError) {
            try writeAll(bytes, to: fd, path: path)
            fchmod(fd, 0o644)
            guard fsync(fd) == 0 else { throw WriteError(description: "\(path): cannot flush: \(String(cString: strerror(errno)))") }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw WriteError(description: "\(path): cannot flush: \(String(cString: strerror(errno)))") }
        guard rename(temp, target) == 0 else { throw WriteError(description: "\(path): cannot rename into place: \(String(cString: strerror(errno)))") }
        ok = true
    }

    /// write(2) until every byte is out, retrying on EINTR and short writes.
    static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(WriteError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(description: "\(path): write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
