import Foundation
@testable import HostProbe
import HostModel
import Testing

/// A captured tree (`--root DIR`) is untrusted: what sits where evidence should be may be a FIFO,
/// a device or a file written to exhaust memory. Each is refused or bounded, never waited on.
@Suite struct UntrustedTreeTests {
    static func tree(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-tree-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        for sub in ["proc", "dev/cpu/0", "sys/devices/system/cpu"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return dir.path
    }

    /// Before the fix, open(2) of a FIFO without a writer blocked forever. So that a regression
    /// fails rather than hangs the suite, a writer opens the FIFOs after a grace period, which
    /// releases a blocked open (and the read then sees an empty file instead of the refusal).
    @Test func fifoWhereEvidenceShouldBeIsRefusedAtOnce() throws {
        let dir = try Self.tree("fifo")
        let fifos = [dir + "/proc/cpuinfo", dir + "/dev/cpu/0/msr"]
        for fifo in fifos { #expect(mkfifo(fifo, 0o600) == 0) }
        let done = ManagedAtomicFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
            while !done.isSet {
                for fifo in fifos {
                    let fd = open(fifo, O_WRONLY | O_NONBLOCK)
                    if fd >= 0 { close(fd) }
                }
                usleep(50_000)
            }
        }
        defer { done.set() }
        let root = HostRoot(path: dir, isLive: false)
        let text = root.readText("/proc/cpuinfo")
        #expect(text.status == .error)
        #expect(text.detail?.contains("FIFO") == true)
        let msrs = MSRReader.read(root: root, cpus: [0], indices: [0x3a])
        #expect(msrs.cpus.first?.reads.first?.status == .error)
    }

    /// A device node in a captured tree is not evidence: /dev/zero would read zeros to the cap.
    /// (A link to the host's /dev/zero no longer reaches it: see `ConfinedTreeTests`.)
    @Test(.enabled(if: geteuid() == 0, "needs root to mknod"))
    func deviceNodeInACapturedTreeIsRefused() throws {
        let dir = try Self.tree("dev")
        // makedev(1, 5), /dev/zero's numbers (the macro is not imported into Swift).
        try #require(mknod(dir + "/dev/zero", S_IFCHR | 0o666, dev_t(1 << 8 | 5)) == 0, "mknod failed")
        try FileManager.default.createSymbolicLink(atPath: dir + "/proc/cpuinfo", withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dev/cpu/0/cpuid", withDestinationPath: "../../zero")
        let root = HostRoot(path: dir, isLive: false)
        #expect(root.readText("/proc/cpuinfo").detail?.contains("device") == true)
        #expect(root.readBytes("/proc/cpuinfo").status == .error)
        #expect(CPUIDReader.read(root: root, cpus: [0]).cpus.isEmpty)
    }

    @Test func symlinkLoopIsAnErrorNotAHang() throws {
        let dir = try Self.tree("loop")
        try FileManager.default.createSymbolicLink(atPath: dir + "/proc/a", withDestinationPath: "/proc/b")
        try FileManager.default.createSymbolicLink(atPath: dir + "/proc/b", withDestinationPath: "a")
        let text = HostRoot(path: dir, isLive: false).readText("/proc/a")
        #expect(text.status == .error)
        #expect(text.detail?.contains("loop") == true)
    }

    /// `0-65535` repeated over 64 KiB asked for ~330 million CPU numbers before the cap.
    @Test func onlineCpuListIsBounded() throws {
        let dir = try Self.tree("online")
        let flood = Array(repeating: "0-65535", count: 8000).joined(separator: ",") + ",99999999999999999999,-3,5-2,1-2-3"
        try flood.write(toFile: dir + "/sys/devices/system/cpu/online", atomically: false, encoding: .utf8)
        let cpus = try #require(LiveProbe.onlineCpus(root: HostRoot(path: dir, isLive: false)))
        #expect(cpus == Array(0..<LiveProbe.maxCpus))
    }

    @Test func onlineCpuListStillReadsRealLists() throws {
        let dir = try Self.tree("online-real")
        try "0-3,8,10-11\n".write(toFile: dir + "/sys/devices/system/cpu/online", atomically: false, encoding: .utf8)
        #expect(LiveProbe.onlineCpus(root: HostRoot(path: dir, isLive: false)) == [0, 1, 2, 3, 8, 10, 11])
    }
}

/// A flag set once from one thread and polled from another.
private final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
