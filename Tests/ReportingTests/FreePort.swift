#if canImport(Glibc)
import Glibc
#endif

/// A TCP port free on 127.0.0.1 now: bind port 0, read what the kernel chose, close. The test
/// server binds it right after, so a collision needs another process to take it in between.
enum FreePort {
    struct Failure: Error {}

    static func loopback() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Failure() }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
