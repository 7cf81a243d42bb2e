import Foundation
import Testing

/// Every input has a size, count and depth limit, enforced before the work it would cause:
/// past a limit the answer is one line on stderr and exit 2, at once, never a crash, a hang or
/// memory in gigabytes. The inputs here are hand-made (no real capture comes near a limit).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct InputBudgetTests {
    static func expectRefused(_ r: VirtCheckBinary.Result, _ what: String, mentioning: String) {
        #expect(!r.timedOut, "\(what) hung")
        #expect(r.status == 2, "\(what): exit \(r.status), \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(what): \(r.stderr)")
        #expect(r.stderr.contains(mentioning), "\(what): \(r.stderr)")
    }

    /// A sparse file of `size` bytes: as large as the red team's, without using the disk.
    static func sparse(_ name: String, size: off_t) throws -> String {
        let path = try BadInputTests.temp(name, [])
        let fd = open(path, O_WRONLY)
        #expect(ftruncate(fd, size) == 0)
        close(fd)
        return path
    }

    /// 10^6 CPU headers in 12 MB: the duplicate check compared each header with every earlier
    /// CPU (minutes). Now the count is capped (Linux's NR_CPUS is at most 8192) and the check is a set.
    @Test func aMillionCPUHeadersAreRefusedAtOnce() throws {
        var dump = "CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
        dump.reserveCapacity(13_000_000)
        for cpu in 1..<1_000_000 { dump += "CPU \(cpu):\n" }
        let path = try BadInputTests.temp("million-cpus.txt", Array(dump.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "a dump of 10^6 CPUs", mentioning: "CPUs")
    }

    /// Nesting ~4,700 levels deep in 9 KB overflowed the stack inside the YAML parser (SIGSEGV).
    @Test(arguments: ["[", "{a: "])
    func deeplyNestedPolicyIsRefused(_ opener: String) throws {
        let closer = opener == "[" ? "]" : "}"
        let text = "profiles: " + String(repeating: opener, count: 4700) + String(repeating: closer, count: 4700) + "\n"
        let path = try BadInputTests.temp("nested-policy-\(opener == "[" ? "seq" : "map").yaml", Array(text.utf8))
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json"),
                                         "--policy", path], timeout: 60)
        Self.expectRefused(r, "a policy nested 4,700 deep", mentioning: "deeper than")
    }

    @Test func gigabytePolicyIsRefusedBySize() throws {
        let path = try Self.sparse("huge-policy.yaml", size: 1 << 30)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json"),
                                         "--policy", path], timeout: 60)
        Self.expectRefused(r, "a 1 GB policy", mentioning: "limited to")
    }

    @Test func gigabyteVectorFileIsRefusedBySize() throws {
        let path = try Self.sparse("huge.vectors", size: 1 << 30)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["verify", "--vectors", path], timeout: 60)
        Self.expectRefused(r, "a 1 GB vector file", mentioning: "limited to")
    }

    /// `--paths-from /dev/zero` read one endless line (24 GB before the OOM killer); a FIFO
    /// without a writer blocked forever. Both are not regular files: refused at once.
    @Test(arguments: ["fifo", "/dev/zero"])
    func pathListFromADeviceOrFifoIsRefused(_ what: String) throws {
        var path = what
        if what == "fifo" {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-paths-fifo-\(getpid())").path
            unlink(path)
            #expect(mkfifo(path, 0o600) == 0)
        }
        let r = try VirtCheckBinary.run(["baseline", "--paths-from", path], timeout: 30)
        Self.expectRefused(r, "--paths-from \(what)", mentioning: "not a regular file")
    }

    /// A path list longer than any pool (or one endless line) is refused by its count and line limits.
    @Test func pathListWithAnEndlessLineIsRefused() throws {
        let path = try BadInputTests.temp("endless-line.txt", Array(repeating: UInt8(ascii: "a"), count: 1 << 20))
        let r = try VirtCheckBinary.run(["baseline", "--paths-from", path], timeout: 30)
        Self.expectRefused(r, "a 1 MiB line in --paths-from", mentioning: "longer than")
    }

    /// An `--output` FIFO nobody reads blocked forever in open(2).
    @Test func outputToAFifoIsRefused() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-budget-output-fifo-\(getpid())").path
        unlink(fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json"),
                                         "--format", "json", "--output", fifo], timeout: 30)
        Self.expectRefused(r, "--output FIFO", mentioning: "not a regular file")
    }

    /// A snapshot nested far deeper than any real one is refused, not recursed into.
    @Test func deeplyNestedSnapshotIsRefused() throws {
        let text = "{\"snapshot_version\": 1, \"x\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let path = try BadInputTests.temp("nested.json", Array(text.utf8))
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "a snapshot nested 100,000 deep", mentioning: "deeper than")
    }

    /// One MSR listing line per index for 10^6 CPUs: refused by the CPU count, not parsed for minutes.
    @Test func msrListingForAMillionCPUsIsRefused() throws {
        var text = "0x3a 0x5\n"
        text.reserveCapacity(20_000_000)
        for cpu in 1..<1_000_000 { text += "cpu \(cpu)\n0x3a 0x5\n" }
        let path = try BadInputTests.temp("million-cpus.msr", Array(text.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "an MSR listing of 10^6 CPUs", mentioning: "CPUs")
    }

    /// A cpuinfo of 10^6 processors (16 MB): refused by the CPU count.
    @Test func cpuinfoOfAMillionProcessorsIsRefused() throws {
        var text = ""
        text.reserveCapacity(17_000_000)
        for cpu in 0..<1_000_000 { text += "processor\t: \(cpu)\n\n" }
        let path = try BadInputTests.temp("million.cpuinfo", Array(text.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "a cpuinfo of 10^6 processors", mentioning: "CPUs")
    }
}
