import HostModel

/// What libvirt's `virt-host-validate` checks beyond the CPU and /dev/kvm — the device nodes QEMU
/// networking and vsock use, cgroup controllers, namespaces and FUSE for containers — and what it
/// does not: hugepages, KSM, THP, NUMA nodes, memory headroom, and another hypervisor's module
/// holding VT-x/AMD-V beside KVM. Every rule reads only the files and nodes its catalogue entry
/// declares (`Snapshot.files`); offline input without them is `unknown`, never `fail`.
enum HostServiceRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [node(c, id: "host.vhost-net", path: "/dev/vhost-net", missing: .warn, use: "in-kernel virtio-net (vhost-net)"),
         node(c, id: "host.tun", path: "/dev/net/tun", missing: .fail, use: "TAP networking for guests"),
         node(c, id: "host.vhost-vsock", path: "/dev/vhost-vsock", missing: .warn, use: "host-guest AF_VSOCK sockets"),
         cgroups(c), namespaces(c),
         node(c, id: "host.fuse", path: "/dev/fuse", missing: .warn, use: "FUSE filesystems in containers (lxcfs)"),
         hugepages(c), ksm(c), thp(c), numa(c), memory(c), vtConflict(c)]
    }

    /// A declared file as read, or the finding that says why the input lacks it.
    enum Read {
        case read(HostFileEvidence)
        case missing(Finding)
    }

    static func read(_ c: RuleContext, _ id: String, _ path: String) -> Read {
        guard c.facts.files != nil else {
            return .missing(c.finding(id, .unknown, "The input holds no host files (\(path) was not read): only the host itself, a `--root` tree or a `virtcheck capture` snapshot has them.",
                                      remedy: "offline"))
        }
        guard let file = c.facts.file(path) else {
            // A tree holds what its capturer copied; only its collected-paths.txt says what was
            // looked at and found missing (HostFilesReader), so a path outside both is unknown.
            let why = c.source.kind == .root
                ? "\(path) is not in the captured tree, and the tree does not list it as looked at (collected-paths.txt): whether the host has it is unknown."
                : "\(path) is not in the capture (a snapshot taken by an older virtcheck, or of a tree that did not hold it): whether the host has it is unknown."
            return .missing(c.finding(id, .unknown, why, evidence: [EvidenceItem(source: path, detail: "not in the capture")], remedy: "offline"))
        }
        switch file.status {
        case .ok, .absent: return .read(file)
        case .denied, .unsupported, .error:
            return .missing(c.finding(id, .unknown, "\(path) could not be read: \(file.detail ?? file.status.rawValue).",
                                      evidence: [EvidenceItem(source: path, detail: file.detail ?? file.status.rawValue)], remedy: "unreadable"))
        }
    }

    static func node(_ c: RuleContext, id: String, path: String, missing: FindingStatus, use: String) -> Finding {
        let file: HostFileEvidence
        switch read(c, id, path) {
        case .read(let f): file = f
        case .missing(let finding): return finding
        }
        switch file.status {
        case .ok:
            return c.finding(id, .pass, "\(path) exists (\(use)).", evidence: [EvidenceItem(source: path, detail: "present")])
        case .absent:
            return c.finding(id, missing, "\(path) does not exist: no \(use).",
                             evidence: [EvidenceItem(source: path, detail: "absent")], remedy: "absent")
        case .denied, .unsupported, .error:
            // Only a missing node says the host lacks it; a node virtcheck could not look at
            // (out of descriptors, permissions) says nothing.
            let why = file.detail ?? file.status.rawValue
            return c.finding(id, .unknown, "\(path) could not be checked: \(why).",
                             evidence: [EvidenceItem(source: path, detail: why)])
        }
    }

    /// The controllers libvirt's QEMU driver uses (virt-host-validate-qemu.c): cpu, cpuacct,
    /// cpuset, memory, devices, blkio. On cgroup v2 cpuacct is part of `cpu`, `devices` is an eBPF
    /// program (always available) and blkio is `io`.
    static let cgroupV1Controllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "blkio"]
    static let cgroupV2Controllers = ["cpu", "cpuset", "memory", "io"]

    static func cgroups(_ c: RuleContext) -> Finding {
        let id = "host.cgroups"
        // Either file read decides on its own; only "no cgroups at all" needs both looked at.
        let v2Read = read(c, id, "/sys/fs/cgroup/cgroup.controllers"), v1Read = read(c, id, "/proc/cgroups")
        if case .read(let v2) = v2Read, v2.status == .ok, let text = v2.text {
            let have = Set(text.split(ascii: " ").map(String.init))
            let lacking = cgroupV2Controllers.filter { !have.contains($0) }
            let ev = [EvidenceItem(source: "/sys/fs/cgroup/cgroup.controllers", detail: text.isEmpty ? "(empty)" : text)]
            return lacking.isEmpty
                ? c.finding(id, .pass, "cgroup v2 offers the controllers libvirt uses (\(cgroupV2Controllers.joined(separator: ", "))).", evidence: ev)
                : c.finding(id, .warn, "cgroup v2 lacks the \(lacking.joined(separator: ", ")) controller\(lacking.count == 1 ? "" : "s"): libvirt cannot limit guests by \(lacking.joined(separator: ", ")).",
                            evidence: ev, remedy: "controllers-missing")
        }
        let v1: HostFileEvidence
        switch (v1Read, v2Read) {
        case (.read(let f), _): v1 = f
        // Neither read: say it of v2, the one a current kernel has.
        case (.missing, .missing(let finding)), (.missing(let finding), .read): return finding
        }
        guard v1.status == .ok, let text = v1.text else {
            if case .missing(let finding) = v2Read { return finding }
            return c.finding(id, .fail, "Neither /sys/fs/cgroup/cgroup.controllers (v2) nor /proc/cgroups (v1) exists: the kernel has no cgroups.",
                             evidence: [EvidenceItem(source: "/proc/cgroups", detail: "absent")], remedy: "no-cgroups")
        }
        // /proc/cgroups: `#subsys_name hierarchy num_cgroups enabled`; hierarchy 0 means the
        // controller is not mounted on any v1 hierarchy.
        var usable = Set<String>()
        for line in text.split(ascii: "\n") where !line.hasPrefix("#") {
            let fields = line.split(asciiWhere: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            if fields.count >= 4, fields[1] != "0", fields[3] == "1" { usable.insert(String(fields[0])) }
        }
        let lacking = cgroupV1Controllers.filter { !usable.contains($0) }
        let ev = [EvidenceItem(source: "/proc/cgroups", detail: "enabled and mounted: \(cgroupV1Controllers.filter(usable.contains).joined(separator: ", "))")]
        return lacking.isEmpty
            ? c.finding(id, .pass, "cgroup v1 has the controllers libvirt uses enabled and mounted (\(cgroupV1Controllers.joined(separator: ", "))).", evidence: ev)
            : c.finding(id, .warn, "cgroup v1 lacks (or has not mounted) \(lacking.joined(separator: ", ")): libvirt cannot limit guests by them.",
                        evidence: ev, remedy: "controllers-missing")
    }

    /// What LXC needs (virt-host-validate-lxc.c): the ipc, mnt, pid, uts and net namespaces;
    /// user namespaces only for unprivileged containers.
    static let requiredNamespaces = ["ipc", "mnt", "pid", "uts", "net"]

    static func namespaces(_ c: RuleContext) -> Finding {
        let id = "host.namespaces"
        let dir: HostFileEvidence
        switch read(c, id, "/proc/self/ns") {
        case .read(let f): dir = f
        case .missing(let finding): return finding
        }
        guard dir.status == .ok, let names = dir.entries else {
            // A captured tree rarely holds proc/self; a running kernel always has the directory.
            return c.source.kind == .live
                ? c.finding(id, .fail, "/proc/self/ns does not exist: the kernel has no namespaces.",
                            evidence: [EvidenceItem(source: "/proc/self/ns", detail: "absent")], remedy: "no-namespaces")
                : c.finding(id, .unknown, "The tree holds no proc/self/ns.", evidence: [EvidenceItem(source: "/proc/self/ns", detail: "absent")], remedy: "offline")
        }
        let have = Set(names)
        let lacking = requiredNamespaces.filter { !have.contains($0) }
        let ev = [EvidenceItem(source: "/proc/self/ns", detail: names.joined(separator: " "))]
        if !lacking.isEmpty {
            return c.finding(id, .fail, "The kernel lacks the \(lacking.joined(separator: ", ")) namespace\(lacking.count == 1 ? "" : "s") containers need.",
                             evidence: ev, remedy: "no-namespaces")
        }
        return have.contains("user")
            ? c.finding(id, .pass, "The kernel has the namespaces containers use (ipc, mnt, pid, uts, net, user).", evidence: ev)
            : c.finding(id, .warn, "No user namespaces: only privileged containers can run.", evidence: ev, remedy: "no-user-namespaces")
    }

    static let hugepagesDir = "/sys/kernel/mm/hugepages"

    static func hugepages(_ c: RuleContext) -> Finding {
        let id = "host.hugepages"
        let dir: HostFileEvidence
        switch read(c, id, hugepagesDir) {
        case .read(let f): dir = f
        case .missing(let finding): return finding
        }
        guard dir.status == .ok, let entries = dir.entries, !entries.isEmpty else {
            return c.finding(id, .warn, "The kernel offers no huge pages (no \(hugepagesDir)): guest memory is mapped with 4 KiB pages only.",
                             evidence: [EvidenceItem(source: hugepagesDir, detail: "absent")], remedy: "none")
        }
        var sizes: [String] = []
        var ev: [EvidenceItem] = []
        for (name, label) in [("hugepages-2048kB", "2 MiB"), ("hugepages-1048576kB", "1 GiB")] where entries.contains(name) {
            let path = "\(hugepagesDir)/\(name)/nr_hugepages"
            let reserved = c.facts.file(path)?.text.flatMap { Int($0) }
            sizes.append(label + (reserved.map { " (\($0) reserved)" } ?? ""))
            ev.append(EvidenceItem(source: path, detail: reserved.map(String.init) ?? "not read"))
        }
        ev.insert(EvidenceItem(source: hugepagesDir, detail: entries.joined(separator: " ")), at: 0)
        guard !sizes.isEmpty else {
            return c.finding(id, .warn, "Huge pages exist but neither 2 MiB nor 1 GiB pages.", evidence: ev, remedy: "none")
        }
        if !entries.contains("hugepages-1048576kB") {
            return c.finding(id, .pass, "Huge pages: \(sizes.joined(separator: ", ")); no 1 GiB pages (the CPU lacks pdpe1gb or the kernel does not offer them).",
                             evidence: ev, remedy: "reserve")
        }
        return c.finding(id, .pass, "Huge pages: \(sizes.joined(separator: ", ")).", evidence: ev, remedy: "reserve")
    }

    static func ksm(_ c: RuleContext) -> Finding {
        let id = "host.ksm", path = "/sys/kernel/mm/ksm/run"
        let file: HostFileEvidence
        switch read(c, id, path) {
        case .read(let f): file = f
        case .missing(let finding): return finding
        }
        guard file.status == .ok, let value = file.text else {
            return c.finding(id, .warn, "The kernel has no KSM (no \(path)): identical guest pages are not merged.",
                             evidence: [EvidenceItem(source: path, detail: "absent")], remedy: "absent")
        }
        let ev = [EvidenceItem(source: path, detail: value)]
        switch value {
        case "1": return c.finding(id, .pass, "KSM is running: identical guest pages are merged.", evidence: ev)
        case "0": return c.finding(id, .pass, "KSM is available but not running (run=0).", evidence: ev, remedy: "stopped")
        default: return c.finding(id, .pass, "KSM is available (run=\(value)).", evidence: ev, remedy: "stopped")
        }
    }

    static func thp(_ c: RuleContext) -> Finding {
        let id = "host.thp", path = "/sys/kernel/mm/transparent_hugepage/enabled"
        let file: HostFileEvidence
        switch read(c, id, path) {
        case .read(let f): file = f
        case .missing(let finding): return finding
        }
        guard file.status == .ok, let value = file.text else {
            return c.finding(id, .warn, "The kernel has no transparent huge pages (no \(path)).",
                             evidence: [EvidenceItem(source: path, detail: "absent")], remedy: "never")
        }
        let ev = [EvidenceItem(source: path, detail: value)]
        // The selected mode is the bracketed word: `always [madvise] never`.
        let mode = value.split(ascii: " ").first { $0.hasPrefix("[") }.map { String($0.dropFirst().dropLast()) }
        switch mode {
        case "always", "madvise":
            return c.finding(id, .pass, "Transparent huge pages: \(mode!) (QEMU asks for them with madvise).", evidence: ev)
        default:
            return c.finding(id, .warn, "Transparent huge pages are \(mode ?? "off"): guest memory is mapped with 4 KiB pages unless huge pages are reserved.",
                             evidence: ev, remedy: "never")
        }
    }

    static func numa(_ c: RuleContext) -> Finding {
        let id = "host.numa", path = "/sys/devices/system/node"
        let dir: HostFileEvidence
        switch read(c, id, path) {
        case .read(let f): dir = f
        case .missing(let finding): return finding
        }
        let nodes = (dir.entries ?? []).filter { $0.hasPrefix("node") && Int($0.dropFirst(4)) != nil }
        guard dir.status == .ok, !nodes.isEmpty else {
            return c.finding(id, .pass, "The kernel shows no NUMA nodes (built without NUMA): one memory node.",
                             evidence: [EvidenceItem(source: path, detail: "absent")])
        }
        let ev = [EvidenceItem(source: path, detail: nodes.joined(separator: " "))]
        return nodes.count == 1
            ? c.finding(id, .pass, "One NUMA node: no placement to plan.", evidence: ev)
            : c.finding(id, .pass, "\(nodes.count) NUMA nodes: pin large guests to one node (libvirt <numatune>) for local memory.", evidence: ev, remedy: "placement")
    }

    /// Below this much available memory a default guest (1 GiB, QEMU's and libvirt's usual
    /// minimum for a modern distribution) no longer fits beside the host.
    static let minimumAvailableKiB = 1 << 20

    static func memory(_ c: RuleContext) -> Finding {
        let id = "host.memory", path = "/proc/meminfo"
        let file: HostFileEvidence
        switch read(c, id, path) {
        case .read(let f): file = f
        case .missing(let finding): return finding
        }
        // The line found by its bytes, not by splitting the whole file into Characters for each
        // key (most of an assessment's host-service rules; callgrind, issue 16).
        func kib(_ key: String) -> Int? {
            let prefix = Array((key + ":").utf8)
            return file.text?.utf8.split(separator: UInt8(ascii: "\n")).first { $0.starts(with: prefix) }.flatMap { line in
                Substring(line).split(ascii: " ").dropFirst().first.flatMap { Int($0) }
            }
        }
        guard file.status == .ok, let total = kib("MemTotal"), let available = kib("MemAvailable") else {
            return c.finding(id, .unknown, "\(path) has no MemTotal/MemAvailable lines (kernel before 3.14, or not read).",
                             evidence: [EvidenceItem(source: path, detail: file.status == .ok ? "no MemAvailable" : "absent")], remedy: "offline")
        }
        // One decimal, as "%.1f" rounds (no tie is possible for a whole number of KiB); without
        // Foundation's String(format:), whose CVarArg casts were an eighth of an assessment.
        let gib = { (k: Int) -> String in
            let tenths = Int((Double(k.magnitude) / 1_048_576 * 10).rounded())
            return (k < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10) GiB"
        }
        let ev = [EvidenceItem(source: path, detail: "MemTotal \(total) kB, MemAvailable \(available) kB")]
        return available >= minimumAvailableKiB
            ? c.finding(id, .pass, "\(gib(available)) of \(gib(total)) available for guests.", evidence: ev)
            : c.finding(id, .warn, "Only \(gib(available)) of \(gib(total)) available: a 1 GiB guest does not fit without swapping.", evidence: ev, remedy: "low")
    }

    /// Out-of-tree drivers of other hypervisors that take VT-x/AMD-V for themselves.
    static let otherHypervisorModules = [("vboxdrv", "VirtualBox"), ("vmmon", "VMware Workstation/Player")]

    static func vtConflict(_ c: RuleContext) -> Finding {
        let id = "host.vt-conflict"
        guard let modules = c.facts.kernelModuleNames else {
            return c.finding(id, .unknown, "The input holds no list of loaded modules (/sys/module).", remedy: "offline")
        }
        let loaded = Set(modules)
        let kvm = ["kvm_intel", "kvm_amd"].filter(loaded.contains)
        let others = otherHypervisorModules.filter { loaded.contains($0.0) }
        let ev = [EvidenceItem(source: "/sys/module", detail: (kvm + others.map(\.0)).isEmpty ? "no kvm_intel, kvm_amd, vboxdrv or vmmon" : (kvm + others.map(\.0)).joined(separator: " "))]
        guard !others.isEmpty else {
            return c.finding(id, .pass, "No other hypervisor's module (vboxdrv, vmmon) is loaded beside \(kvm.first ?? "KVM").", evidence: ev)
        }
        let names = others.map { "\($0.1) (\($0.0))" }.joined(separator: " and ")
        guard let backend = kvm.first else {
            return c.finding(id, .pass, "\(names) loaded, without a hardware KVM backend: no conflict over VT-x/AMD-V.", evidence: ev)
        }
        return c.finding(id, .warn, "\(names) loaded beside \(backend): only one hypervisor can hold VT-x/AMD-V at a time, so the other's VMs fail to start while one runs (with Linux 6.12+ KVM holds it from module load).",
                         evidence: ev, remedy: "both-loaded")
    }
}
