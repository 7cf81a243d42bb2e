import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// virt-host-validate's checks and what it lacks, through the live code path over `--root` trees
/// and on this host (compared with virt-host-validate itself where libvirt-clients is installed).
struct HostServiceRulesTests {
    static let plan = RuleCatalogue.builtIn.evidencePlan

    static func findings(root dir: String) -> [String: Finding] {
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: dir, isLive: false), options: .init(runGuest: false, plan: plan))
        var out: [String: Finding] = [:]
        for f in Assessor.assess(snapshot).findings where f.subject == nil { out[f.id] = f }
        return out
    }

    /// Builds a tree: `files` maps a path to its content; a nil content is an empty file (a
    /// device node stands as one: the rules only look at presence).
    ///   - collected: the tree's `collected-paths.txt` lines; nil writes none (the tree says
    ///     nothing about what it looked at).
    static func tree(_ files: [String: String?], collected: [String]? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-host-\(UUID().uuidString)").path
        for (path, content) in files {
            let full = dir + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (content ?? "").write(toFile: full, atomically: false, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        if let collected {
            try collected.map { $0 + "\n" }.joined().write(toFile: dir + CollectedPaths.fileName, atomically: false, encoding: .utf8)
        }
        return dir
    }

    /// Every path the rules declare, as a capture that looked at each lists them.
    static var everyDeclaredPath: [String] { plan.paths + plan.devices }

    /// The bare tree of `aBareTreeFailsTunAndWarnsTheRest`, with or without its account of what
    /// was looked at.
    static func bareTree(collected: [String]?) throws -> String {
        try tree([
            "/proc/cgroups": "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t1\t1\t1\nblkio\t0\t1\t1\nmemory\t4\t56\t1\ndevices\t5\t1\t1\n",
            "/sys/kernel/mm/transparent_hugepage/enabled": "always madvise [never]\n",
            "/proc/meminfo": "MemTotal:        2000000 kB\nMemAvailable:     500000 kB\n",
            "/sys/module/kvm/parameters/.keep": nil,
        ], collected: collected)
    }

    /// A libvirt host on cgroup v2 with KVM, huge pages reserved, KSM running, two NUMA nodes,
    /// and VirtualBox's driver loaded beside kvm_intel.
    @Test func aReadyHostPassesAndTheVTConflictWarns() throws {
        let dir = try Self.tree([
            "/dev/net/tun": nil, "/dev/vhost-net": nil, "/dev/vhost-vsock": nil, "/dev/fuse": nil,
            "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
            "/proc/self/ns/ipc": nil, "/proc/self/ns/mnt": nil, "/proc/self/ns/pid": nil, "/proc/self/ns/uts": nil,
            "/proc/self/ns/net": nil, "/proc/self/ns/user": nil, "/proc/self/ns/cgroup": nil,
            "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "512\n",
            "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages": "4\n",
            "/sys/kernel/mm/ksm/run": "1\n",
            "/sys/kernel/mm/transparent_hugepage/enabled": "always [madvise] never\n",
            "/sys/devices/system/node/node0/cpulist": "0-7\n", "/sys/devices/system/node/node1/cpulist": "8-15\n",
            "/sys/devices/system/node/online": "0-1\n",
            "/proc/meminfo": "MemTotal:       65843200 kB\nMemFree:        40000000 kB\nMemAvailable:   52000000 kB\n",
            "/sys/module/kvm/parameters/.keep": nil, "/sys/module/kvm_intel/parameters/nested": "Y\n",
            "/sys/module/vboxdrv/parameters/.keep": nil,
        ])
        let f = Self.findings(root: dir)
        for id in ["host.vhost-net", "host.tun", "host.vhost-vsock", "host.cgroups", "host.namespaces", "host.fuse",
                   "host.hugepages", "host.ksm", "host.thp", "host.numa", "host.memory"] {
            #expect(f[id]?.status == .pass, "\(id): \(f[id]?.summary ?? "no finding")")
        }
        #expect(f["host.hugepages"]?.summary.contains("1 GiB (4 reserved)") == true)
        #expect(f["host.numa"]?.summary.hasPrefix("2 NUMA nodes") == true)
        #expect(f["host.vt-conflict"]?.status == .warn)
        #expect(f["host.vt-conflict"]?.summary.contains("vboxdrv") == true)
    }

    /// A minimal tree that lists every declared path as looked at: what virt-host-validate fails
    /// fails, what it warns warns, and what a tree cannot show (namespaces of a process) is unknown.
    @Test func aBareTreeFailsTunAndWarnsTheRest() throws {
        let dir = try Self.bareTree(collected: Self.everyDeclaredPath)
        let f = Self.findings(root: dir)
        #expect(f["host.tun"]?.status == .fail)
        #expect(f["host.vhost-net"]?.status == .warn)
        #expect(f["host.cgroups"]?.status == .warn)
        #expect(f["host.cgroups"]?.summary.contains("blkio") == true)
        #expect(f["host.namespaces"]?.status == .unknown)
        #expect(f["host.hugepages"]?.status == .warn)
        #expect(f["host.ksm"]?.status == .warn)
        #expect(f["host.thp"]?.status == .warn)
        #expect(f["host.memory"]?.status == .warn)
        #expect(f["host.vt-conflict"]?.status == .pass)
    }

    /// The same tree without collected-paths.txt: a path it does not hold was never looked at, so
    /// the rules that would judge its absence say unknown ("not in the captured tree"), while what
    /// the tree holds still decides (THP never, low memory, cgroup v1 lacking blkio). Before, a
    /// tree that merely left /dev out failed host.tun and so `containers` and `vm-host`.
    @Test func aPathTheTreeNeverLookedAtIsUnknownNotAbsent() throws {
        let dir = try Self.bareTree(collected: nil)
        let f = Self.findings(root: dir)
        for id in ["host.tun", "host.vhost-net", "host.vhost-vsock", "host.fuse", "host.hugepages", "host.ksm", "host.numa"] {
            #expect(f[id]?.status == .unknown, "\(id): \(f[id]?.summary ?? "no finding")")
            #expect(f[id]?.summary.contains("not in the captured tree") == true, "\(id): \(f[id]?.summary ?? "")")
            #expect(f[id]?.remediation?.isEmpty == false, "\(id) has no remedy")
        }
        #expect(f["host.cgroups"]?.status == .warn)
        #expect(f["host.thp"]?.status == .warn)
        #expect(f["host.memory"]?.status == .warn)
        // A tree that lists only /dev/net/tun as looked at: that one is absent, the rest unknown.
        let partial = Self.findings(root: try Self.bareTree(collected: ["/dev/net/tun", "# the capturer ran ls /dev/net/tun"]))
        #expect(partial["host.tun"]?.status == .fail)
        #expect(partial["host.vhost-net"]?.status == .unknown)
    }

    /// A snapshot from before these files were read still loads, and the rules say unknown.
    @Test func anOlderSnapshotLoadsAndTheHostRulesAreUnknown() throws {
        let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/hosts").standardized
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: capture.path).first { $0.hasSuffix(".json") })
        var text = try String(contentsOfFile: capture.appendingPathComponent(name).path, encoding: .utf8)
        // Drop `files` as a capture of the previous virtcheck lacked it.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        object["files"] = nil
        text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let snapshot = try OfflineLoader.decodeSnapshot(text, path: name)
        #expect(snapshot.files == nil)
        let findings = Assessor.assess(snapshot).findings
        for id in ["host.tun", "host.cgroups", "host.hugepages"] {
            #expect(findings.first { $0.id == id }?.status == .unknown)
        }
    }

    /// This host, as virt-host-validate sees it: device nodes, cgroup controllers and
    /// namespaces agree line for line. Skipped where libvirt-clients is not installed.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/virt-host-validate"), "virt-host-validate (libvirt-clients) is not installed"))
    func agreesWithVirtHostValidateOnThisHost() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/virt-host-validate")
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        // `  QEMU: Checking if device /dev/net/tun exists   : PASS`
        var verdicts: [(check: String, result: String)] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.range(of: " : ", options: .backwards) else { continue }
            let check = line[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
            let result = line[colon.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            verdicts.append((check, result))
        }
        func status(_ result: String) -> FindingStatus? { ["PASS": .pass, "WARN": .warn, "FAIL": .fail][result] }
        func combined(_ match: (String) -> Bool) -> FindingStatus? {
            let statuses = verdicts.filter { match($0.check) }.compactMap { status($0.result) }
            if statuses.isEmpty { return nil }
            return statuses.contains(.fail) ? .fail : statuses.contains(.warn) ? .warn : .pass
        }
        let snapshot = LiveProbe.snapshot(root: .live, options: .init(runGuest: false, plan: Self.plan))
        let findings = Assessor.assess(snapshot).findings
        func ours(_ id: String) -> FindingStatus? { findings.first { $0.id == id }?.status }
        let pairs: [(String, FindingStatus?)] = [
            ("host.vhost-net", combined { $0.hasSuffix("/dev/vhost-net exists") }),
            ("host.tun", combined { $0.hasSuffix("/dev/net/tun exists") }),
            ("host.cgroups", combined { $0.hasPrefix("QEMU: Checking for cgroup") }),
            ("host.namespaces", combined { $0.contains("Checking for namespace") }),
        ]
        for (id, theirs) in pairs {
            let theirs = try #require(theirs, "virt-host-validate printed no line for \(id)")
            #expect(ours(id) == theirs, "\(id): virtcheck \(ours(id).map(\.rawValue) ?? "none"), virt-host-validate \(theirs.rawValue)")
        }
    }
}
