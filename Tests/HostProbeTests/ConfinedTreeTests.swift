import Foundation
@testable import HostProbe
import HostModel
import Testing

/// Every reader of a captured tree resolves paths as if the tree were `/` (openat2 with
/// RESOLVE_IN_ROOT): links of every shape stay inside it, and the ones that point inside keep
/// working, because sysfs is made of them. Hand-made trees: no real capture holds hostile links.
@Suite struct ConfinedTreeTests {
    static let marker = "SECRET-BESIDE-THE-TREE"

    /// `BASE/outside/secret` (the stand-in for /etc/shadow) and the tree `BASE/tree`.
    static func tree(_ name: String) throws -> (tree: String, secret: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-confined-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base + "/outside/dir", withIntermediateDirectories: true)
        try marker.write(toFile: base + "/outside/secret", atomically: false, encoding: .utf8)
        try marker.write(toFile: base + "/outside/dir/secret", atomically: false, encoding: .utf8)
        for sub in ["proc/sys/kernel", "sys/bus/pci/devices", "sys/devices/pci0000:00/0000:00:01.0", "etc"] {
            try FileManager.default.createDirectory(atPath: base + "/tree/" + sub, withIntermediateDirectories: true)
        }
        return (base + "/tree", base + "/outside/secret")
    }

    static func link(_ tree: String, _ at: String, _ target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: tree + at, withDestinationPath: target)
    }

    @Test func linksOutOfTheTreeReadNothingOutside() throws {
        let (tree, secret) = try Self.tree("escape")
        let outside = (secret as NSString).deletingLastPathComponent
        try Self.link(tree, "/proc/sys/kernel/osrelease", secret)                                          // absolute
        try Self.link(tree, "/proc/cmdline", String(repeating: "../", count: 16) + secret.dropFirst())     // `..` climbing out
        try Self.link(tree, "/proc/outside", outside)                                                     // a directory, absolute
        try Self.link(tree, "/sys/kernel", "/sys/kernel")                                                  // the live sysfs
        try Self.link(tree, "/etc/group", "/proc/self/root" + secret)                                      // a magic link
        let root = HostRoot(path: tree, isLive: false)
        for path in ["/proc/sys/kernel/osrelease", "/proc/cmdline", "/proc/outside/secret", "/proc/outside/dir/secret", "/etc/group"] {
            let text = root.readText(path)
            #expect(text.status != .ok, "\(path) read \(text.text ?? "")")
            #expect(text.text?.contains(Self.marker) != true)
            #expect(root.readBytes(path).bytes == nil)
            #expect(!root.exists(path), "\(path) resolved outside")
        }
        #expect(root.value("/proc/sys/kernel/osrelease") == nil)
        #expect(root.list("/proc/outside") == nil, "a directory link listed the directory outside")
        #expect(root.list("/sys/kernel") == nil, "the live /sys/kernel was listed")
        if case .success = root.fileStatus("/proc/sys/kernel/osrelease") { Issue.record("stat followed the link outside") }
    }

    @Test func linksInsideTheTreeStillWork() throws {
        let (tree, _) = try Self.tree("inside")
        let device = "/sys/devices/pci0000:00/0000:00:01.0"
        try "0x8086\n".write(toFile: tree + device + "/vendor", atomically: false, encoding: .utf8)
        try "6.8.0-in-tree\n".write(toFile: tree + "/etc/release", atomically: false, encoding: .utf8)
        try Self.link(tree, "/proc/sys/kernel/osrelease", "/etc/release")                              // absolute, inside
        try Self.link(tree, "/proc/cmdline", "../etc/../etc/release")                                  // relative with `..`
        try Self.link(tree, "/sys/bus/pci/devices/0000:00:01.0", device)                               // absolute directory link
        try Self.link(tree, device + "/driver", "../../../bus/pci/drivers/vfio-pci")                   // sysfs-style, dangling
        try Self.link(tree, device + "/iommu_group", "/sys/kernel/iommu_groups/7")
        let root = HostRoot(path: tree, isLive: false)
        #expect(root.value("/proc/sys/kernel/osrelease") == "6.8.0-in-tree")
        #expect(root.value("/proc/cmdline") == "6.8.0-in-tree")
        #expect(root.list("/sys/bus/pci/devices") == ["0000:00:01.0"])
        #expect(root.value("/sys/bus/pci/devices/0000:00:01.0/vendor") == "0x8086")
        #expect(root.linkName("/sys/bus/pci/devices/0000:00:01.0/driver") == "vfio-pci")
        #expect(root.linkName("/sys/bus/pci/devices/0000:00:01.0/iommu_group") == "7")
        #expect(root.exists("/sys/bus/pci/devices/0000:00:01.0/vendor"))
        let pci = PCIProbe.probe(root: root)
        #expect(pci.devices.map(\.address) == ["0000:00:01.0"])
        #expect(pci.devices.first?.driver == "vfio-pci")
    }

    /// `..` at the top of the tree stays at the top, as at `/`.
    @Test func dotDotAtTheTopStaysInTheTree() throws {
        let (tree, _) = try Self.tree("dotdot")
        try "in-tree\n".write(toFile: tree + "/etc/release", atomically: false, encoding: .utf8)
        let root = HostRoot(path: tree, isLive: false)
        #expect(root.value("/../../../etc/release") == "in-tree")
        #expect(root.value("/../outside/secret") == nil)
    }

    /// A FIFO inside the tree, reached through an in-tree link, is still refused at once.
    @Test func fifoBehindAnInTreeLinkIsRefused() throws {
        let (tree, _) = try Self.tree("fifo")
        #expect(mkfifo(tree + "/etc/pipe", 0o600) == 0)
        try Self.link(tree, "/proc/cpuinfo", "/etc/pipe")
        let text = HostRoot(path: tree, isLive: false).readText("/proc/cpuinfo")
        #expect(text.status == .error)
        #expect(text.detail?.contains("FIFO") == true)
    }
}
