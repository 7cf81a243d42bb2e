import Analysis
import ArgumentParser
import Foundation
import HostModel
import HostProbe
import Reporting

/// `virtcheck baseline PATH...`: the common feature set of a pool of hosts, and what each host
/// lacks against the best. Hosts are folded one at a time, so memory does not grow with the
/// size of the captures, only by a few words per host.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The common feature set of a pool of hosts, each host's lacks, and a CPU model for the pool.",
        discussion: """
        Each PATH is one host: a file or a directory of that host's files (anything --from accepts). \
        For pools too large for a command line, --paths-from FILE reads one path per line ('-': stdin).

        Formats: text (default), json, qemu (a `-cpu` value for the pool), cpuid (the pool's \
        CPUID masks in `cpuid -r` syntax).

        Exit codes: 0 done; 2 unusable input (the first bad host is named; nothing is written); 64 usage error.

        Examples:
          virtcheck baseline hosts/*/
          find dumps -name '*.cpuid' | virtcheck baseline --paths-from - --format qemu
        """)

    @Argument(help: ArgumentHelp("One host's capture: a file, or a directory of one host's files.", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Read more host paths from this file, one per line ('-' for stdin).", valueName: "file"))
    var pathsFrom: String?

    @Option(help: "Output format.")
    var format: BaselineFormat = .text

    @Option(help: ArgumentHelp("Write the result to this file (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        if paths.isEmpty && pathsFrom == nil {
            throw ValidationError("give at least one host path (or --paths-from)")
        }
    }

    func run() throws {
        var pool = PoolBaseline()
        do {
            for path in paths { pool.add(try Self.host(path)) }
            if let pathsFrom {
                try Self.eachLine(of: pathsFrom) { path throws(InputError) in pool.add(try Self.host(path)) }
            }
        } catch {
            throw CLIError.input(error.description).exit()
        }
        guard pool.count > 0 else { throw CLIError.input("\(pathsFrom ?? "--paths-from"): names no host").exit() }
        let result = pool.result(perHost: format == .text || format == .json)
        let text = switch format {
        case .text: BaselineRenderer.text(result)
        case .json: try BaselineRenderer.json(result)
        case .qemu: BaselineRenderer.qemu(result)
        case .cpuid: BaselineRenderer.cpuid(result)
        }
        try Emit.write(text, to: output)
    }

    private static func host(_ path: String) throws(InputError) -> HostCapabilities {
        HostCapabilities(snapshot: try OfflineLoader.load(paths: [path]), label: path)
    }

    /// The longest line of a path list: Linux's PATH_MAX.
    static let maxPathLength = 4096
    /// Hosts one pool may name: far beyond any fleet, far below what exhausts memory or time.
    static let maxHosts = 100_000

    /// Calls `body` with each non-empty line of the file (or stdin), reading as it goes. A named
    /// file must be a regular file (a FIFO without a writer would block the open, /dev/zero is
    /// one endless line); stdin may be a pipe (`find … | virtcheck baseline --paths-from -`).
    /// Every line is bounded (PATH_MAX, no NUL) and so is their number.
    private static func eachLine(of file: String, _ body: (String) throws(InputError) -> Void) throws(InputError) {
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
            let path = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
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
