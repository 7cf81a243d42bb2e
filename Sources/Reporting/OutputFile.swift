#if canImport(Glibc)
import Glibc
#endif
import CShims
import FoundationEssentials

/// Writes a report or snapshot so that readers (node_exporter, NFD, CI) never see half of it:
/// a temporary file in the same directory, fsync, then rename over the target. A failed write
/// (disk full, file size limit) removes the temporary file and leaves the old target as it was;
/// so does SIGTERM, SIGINT or SIGHUP while it is written (the handler of
/// `vc_install_termination_handlers` removes the file registered here).
public enum OutputFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
        /// The errno of the failed call: EPIPE (the reader left) is not an error to report.
        public var errno: Int32 = 0
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        // `--output ""` wrote a temporary file into the working directory, then failed to rename
        // it onto "" ("error: : cannot rename into place").
        guard !path.isEmpty else { throw WriteError(description: "--output: empty path; name a file, or leave --output out to write to stdout") }
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
        // Termination signals wait until the temporary file is registered for removal.
        var termination = sigset_t(), saved = sigset_t()
        sigemptyset(&termination)
        for signo in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&termination, signo) }
        pthread_sigmask(SIG_BLOCK, &termination, &saved)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let mkstempErrno = errno
        if fd >= 0 { template.withUnsafeBufferPointer { _ = vc_set_pending_temporary($0.baseAddress!) } }
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        guard fd >= 0 else { throw failure("\(path): cannot create a temporary file", mkstempErrno) }
        let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(temp) }
            _ = vc_set_pending_temporary(nil)
        }
        do throws(WriteError) {
            try writeAll(bytes, to: fd, path: path)
            fchmod(fd, 0o644)
            guard fsync(fd) == 0 else { throw failure("\(path): cannot flush", errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw failure("\(path): cannot flush", errno) }
        guard rename(temp, target) == 0 else { throw failure("\(path): cannot rename into place", errno) }
        ok = true
    }

    /// write(2) until every byte is out, retrying on EINTR and short writes. `path` names the
    /// destination in the error (`stdout` for descriptor 1).
    public static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(WriteError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("\(path): write failed", errno)
            }
            offset += n
        }
    }

    static func failure(_ what: String, _ err: Int32) -> WriteError {
        WriteError(description: "\(what): \(String(cString: strerror(err)))", errno: err)
    }
}
