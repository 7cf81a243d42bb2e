import FoundationEssentials
import Glibc
import HostModel

/// Reads the files, directories and device nodes of an `EvidencePlan` under a root (live, or a
/// `--root` tree): a directory's names, a small file's text, a node's presence. Read-only; a node
/// is looked at (access F_OK), never opened, so /dev/vhost-net or /dev/fuse are not touched.
public enum HostFilesReader {
    /// The largest file kept: /proc/meminfo, /proc/modules and cgroup lists are a few KiB.
    static let maxFileSize = 256 << 10
    /// The most names kept from one directory (/sys/devices/system/node on the largest machines
    /// has a few hundred entries).
    static let maxEntries = 4096

    /// What the probe's other readers already collect, as path prefixes: CPUID and MSRs
    /// (/dev/cpu), cpuinfo, the kernel's modules and parameters (/sys/module, KernelReader), the
    /// IOMMU side (IOMMUProbe), PCI (PCIProbe), /dev/kvm and /dev/sev (KVMProbe, KernelReader),
    /// Xen's /proc/xen and /sys/hypervisor (KernelReader).
    /// Needs under these are not read a second time into `Snapshot.files`.
    static let readElsewhere = [
        "/dev/cpu/", "/proc/cpuinfo", "/proc/sys/kernel/osrelease", "/proc/cmdline", "/proc/interrupts", "/sys/module",
        "/sys/kernel/iommu_groups", "/sys/class/iommu", "/sys/firmware/acpi/tables/", "/sys/bus/pci/devices",
        "/sys/devices/system/cpu/online", "/dev/kvm", "/dev/sev", "/dev/vfio/", "/proc/xen/", "/sys/hypervisor/",
    ]

    public static func readsElsewhere(_ path: String) -> Bool {
        readElsewhere.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    /// The size limit of a tree's `collected-paths.txt`.
    static let maxManifestSize = 1 << 20

    /// - Returns: the declared paths as read. On the live host a missing path is absent. In a
    ///   captured tree it is absent only where the tree's `collected-paths.txt` lists it (the
    ///   capturer looked and found nothing); a path the tree neither holds nor lists is left out,
    ///   so the rules say it was not captured (`unknown`) instead of judging the host by a copy
    ///   that never included it.
    public static func read(root: HostRoot, plan: EvidencePlan) -> [HostFileEvidence] {
        let collected = root.isLive ? nil : root.readText(CollectedPaths.fileName, limit: maxManifestSize).text.map(CollectedPaths.init(parsing:))
        let found = plan.paths.filter { !readsElsewhere($0) }.map { read(root: root, path: $0) }
            + plan.devices.filter { !readsElsewhere($0) }.map { node in
            // The errno decides: only ENOENT and its kin say the node is absent; a node virtcheck
            // could not look at (EMFILE, EACCES) stays unread evidence, not a missing device.
            switch root.fileStatus(node) {
            case .success: HostFileEvidence(path: node, kind: .device, status: .ok)
            case .failure(let f) where f.status == .absent:
                HostFileEvidence(path: node, kind: .device, status: .absent, detail: "\(node) does not exist")
            case .failure(let f): HostFileEvidence(path: node, kind: .device, status: f.status, detail: f.detail)
            }
        }
        guard !root.isLive else { return found }
        return found.filter { $0.status != .absent || collected?.covers($0.path) == true }
    }

    static func read(root: HostRoot, path: String) -> HostFileEvidence {
        if let names = root.list(path) {
            return HostFileEvidence(path: path, kind: .directory, status: .ok, entries: Array(names.prefix(maxEntries)))
        }
        let t = root.readText(path, limit: maxFileSize)
        return HostFileEvidence(path: path, kind: .file, status: t.status,
                                text: t.text?.trimmed(), detail: t.detail)
    }
}
