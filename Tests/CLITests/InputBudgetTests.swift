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

    /// Just under the 1 MiB limit, one line of 70,000 `key: value` pairs in `{ }`, the last key a
    /// repeat: the reader counted the column of every key as it met it (to name a repeated one),
    /// from the start of the line, which made such a line quadratic (22 s in a release build).
    @Test func aOneLinePolicyOfSeventyThousandKeysIsReadAtOnce() throws {
        let text = "rules: {" + (0..<70_000).map { "k\($0): fail" }.joined(separator: ", ") + ", k0: warn}\n"
        #expect(text.utf8.count < 1 << 20)
        let path = try BadInputTests.temp("wide-policy.yaml", Array(text.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json"),
                                         "--policy", path], timeout: 60)
        Self.expectRefused(r, "a one-line policy of 70,000 keys", mentioning: "line 1, column 968899: not valid YAML or JSON: the key 'k0' is written twice")
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

    /// The lab's q35 snapshot claiming 2,000,000 online CPUs: reported as `logical_cpus: 2000000`
    /// where a dump, cpuinfo or MSR listing of more than 8192 CPUs is refused.
    @Test func snapshotWithTwoMillionOnlineCPUsIsRefused() throws {
        let base = try Data(contentsOf: URL(fileURLWithPath: VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov.json")))
        var snapshot = try #require(try JSONSerialization.jsonObject(with: base) as? [String: Any])
        var host = try #require(snapshot["host"] as? [String: Any])
        host["online_cpus"] = Array(0..<2_000_000)
        snapshot["host"] = host
        let path = try BadInputTests.temp("two-million-cpus.json", Array(try JSONSerialization.data(withJSONObject: snapshot)))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"], timeout: 60)
        Self.expectRefused(r, "a snapshot of 2,000,000 online CPUs", mentioning: "more than 8192 CPUs")
    }

    /// An IOMMU group listing in the Arch wiki's layout naming 400,000 functions (29 MB): read and
    /// analysed whole (32 s, 200 MB in a debug build); now refused past 4096 functions.
    @Test func iommuListingOfFourHundredThousandFunctionsIsRefused() throws {
        var text = ""
        text.reserveCapacity(30_000_000)
        for i in 0..<400_000 {
            text += "IOMMU Group \(i) \(Self.hexDigits(i >> 8 & 0xFF, 2)):\(Self.hexDigits(i >> 3 & 0x1F, 2)).\(i & 7) Ethernet controller [0200]: Intel I210 [8086:1533]\n"
        }
        let path = try BadInputTests.temp("huge.iommu", Array(text.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "an IOMMU listing of 400,000 functions", mentioning: "more than 4096 PCI functions")
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

    /// lscpu output of 10^6 distinct `Key: value` lines (16 MB) was read whole into a dictionary
    /// (27 s, 220 MB in a debug build): now refused at line 4097.
    @Test func lscpuOfAMillionLinesIsRefused() throws {
        var text = "Architecture: x86_64\nCPU(s): 4\nVendor ID: GenuineIntel\n"
        text.reserveCapacity(17_000_000)
        for i in 0..<1_000_000 { text += "K\(i): v\n" }
        let path = try BadInputTests.temp("million-lines.lscpu", Array(text.utf8))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "lscpu output of 10^6 lines", mentioning: "more than 4096 lines")
    }

    /// `CPU(s): 1000000000` became the report's logical_cpus; cpuinfo and dumps are held to
    /// Linux's NR_CPUS, and now lscpu is too.
    @Test func lscpuClaimingABillionCPUsIsRefused() throws {
        let text = "Architecture: x86_64\nCPU(s): 1000000000\nVendor ID: GenuineIntel\nVirtualization: VT-x\n"
        let path = try BadInputTests.temp("billion.lscpu", Array(text.utf8))
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"], timeout: 60)
        Self.expectRefused(r, "lscpu claiming 10^9 CPUs", mentioning: "more than 8192 CPUs")
    }

    /// The lab's real q35 capture with its PCI functions and IOMMU groups replaced: `functions`
    /// copies of its Ethernet controller (01:00.0) at consecutive addresses, and `groups`
    /// (the first holding all functions, the rest empty). Hand-made: no real host comes near.
    static func crowdedSnapshot(_ name: String, functions: Int, groups: Int) throws -> String {
        let base = try Data(contentsOf: URL(fileURLWithPath: VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov.json")))
        var snapshot = try #require(try JSONSerialization.jsonObject(with: base) as? [String: Any])
        var pci = try #require(snapshot["pci"] as? [String: Any])
        var iommu = try #require(snapshot["iommu"] as? [String: Any])
        var template = try #require((pci["devices"] as? [[String: Any]])?.first { $0["address"] as? String == "0000:01:00.0" })
        // Its first 256 bytes of config space (the 4 KiB it holds, 4,096 times, pass the file limit).
        var config = try #require(template["config"] as? [String: Any])
        config["hex"] = (config["hex"] as? String).map { String($0.prefix(512)) }
        template["config"] = config
        let addresses = (0..<functions).map { i in
            "0000:" + hexDigits(i >> 8 & 0xFF, 2) + ":" + hexDigits(i >> 3 & 0x1F, 2) + "." + String(i & 7)
        }
        pci["devices"] = addresses.map { address in
            var device = template
            device["address"] = address
            device["iommu_group"] = "0"
            return device
        }
        iommu["groups"] = (0..<groups).map { ["group": String($0), "type": "DMA", "devices": $0 == 0 ? addresses : []] as [String: Any] }
        snapshot["pci"] = pci
        snapshot["iommu"] = iommu
        return try BadInputTests.temp(name, Array(try JSONSerialization.data(withJSONObject: snapshot)))
    }

    static func hexDigits(_ value: Int, _ width: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// 2,048 functions in one IOMMU group (the snapshot limit is 4,096): each device's rules
    /// looked up every other member by a linear search (1,000 functions took 170 s, 4,096 hours)
    /// and each reason listed all the others (a report quadratic in the group). Now a report
    /// comes, and a reason names 16 devices and a count.
    @Test func twoThousandFunctionsInOneGroupGiveAReport() throws {
        let path = try Self.crowdedSnapshot("crowded-group.json", functions: 2048, groups: 1)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"], timeout: 240)
        #expect(!r.timedOut, "2,048 functions in one group hung")
        #expect(r.status == 1, "\(r.stderr)")
        let findings = try #require(r.json?["findings"] as? [[String: Any]])
        let devices = findings.filter { $0["id"] as? String == "pci.passthrough" }
        #expect(devices.count == 2048)
        let shared = try #require(devices.first?["summary"] as? String)
        // 00:00.0's own slot holds 7 more functions; the other 2,040 are foreign.
        #expect(shared.hasPrefix("IOMMU group 0 also holds 00:01.0 (Ethernet controller), "), "\(shared)")
        #expect(shared.contains(", and 2024 more: they can only be assigned together"), "\(shared)")
    }

    /// One group naming 100,000 functions: the analysis looked each function without a group
    /// of its own up among all members; now refused, as more than 4096 PCI functions are.
    @Test func snapshotGroupOfAHundredThousandMembersIsRefused() throws {
        let base = try Data(contentsOf: URL(fileURLWithPath: VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov.json")))
        var snapshot = try #require(try JSONSerialization.jsonObject(with: base) as? [String: Any])
        var iommu = try #require(snapshot["iommu"] as? [String: Any])
        let members = (0..<100_000).map { "0000:\(Self.hexDigits($0 >> 8 & 0xFF, 2)):\(Self.hexDigits($0 >> 3 & 0x1F, 2)).\($0 & 7)" }
        iommu["groups"] = [["group": "0", "type": "DMA", "devices": members] as [String: Any]]
        snapshot["iommu"] = iommu
        let path = try BadInputTests.temp("crowded-members.json", Array(try JSONSerialization.data(withJSONObject: snapshot)))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 60)
        Self.expectRefused(r, "a group of 100,000 members", mentioning: "100000 IOMMU group members")
    }

    /// 60,000 IOMMU groups (the live reader lists 65,536 entries per directory): the JSON
    /// encoder copied its whole array on every element (131 s for such a `--root` tree).
    @Test func sixtyThousandGroupsEncodeToJSON() throws {
        let path = try Self.crowdedSnapshot("many-groups.json", functions: 1, groups: 60_000)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"], timeout: 60)
        #expect(!r.timedOut, "60,000 groups hung")
        let findings = try #require(r.json?["findings"] as? [[String: Any]])
        let groups = try #require(findings.first { $0["id"] as? String == "iommu.groups" })
        #expect((groups["evidence"] as? [Any])?.count == 60_000)
    }
}
