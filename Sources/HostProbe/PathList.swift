import Foundation
import HostModel

/// A list of host paths, one per line (`baseline --paths-from FILE`, '-' for stdin), read as it
/// goes so a pool of any size costs one line of memory.
public enum PathList {
    /// Calls `body` with each non-empty line of the file (or stdin), reading as it goes.
    public static func eachLine(of file: String, _ body: (String) throws(InputError) -> Void) throws(InputError) {
        let stream: UnsafeMutablePointer<FILE>? = file == "-" ? fdopen(STDIN_FILENO, "r") : fopen(file, "r")
        guard let stream else { throw InputError(path: file, message: String(cString: strerror(errno))) }
        defer { if file != "-" { fclose(stream) } }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, stream) >= 0, let line {
            let path = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
            if !path.isEmpty { try body(path) }
        }
    }
}
