import Foundation
import Testing

/// A `--root` tree comes from a machine the user does not control: its links, of every shape,
/// are resolved as if the tree were `/`. Nothing outside it is read, in any output format or in
/// `capture`'s snapshot; links that stay inside it (sysfs is made of them) keep working.
/// The tree is the genoa-pvm-guest capture with links planted in it (hand-made: no real
/// capture holds hostile links).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct ConfinedRootTests {
    /// A file outside the tree, standing for /etc/shadow; its marker must never be printed.
    static let marker = "SECRET-OUTSIDE-THE-TREE-7f3a9c"

    struct Tree {
        var dir: String
        var secret: String
    }

    static func hostileTree() throws -> Tree {
        let fm = FileManager.default
        // One tree per test: the tests run in parallel.
        let base = fm.temporaryDirectory.appendingPathComponent("virtcheck-confined-\(UUID().uuidString)").path
        try? fm.removeItem(atPath: base)
        try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        let secret = base + "/outside/shadow"
        try "\(marker)\n".write(toFile: secret, atomically: false, encoding: .utf8)
        let dir = base + "/tree"
        try fm.copyItem(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest"), toPath: dir)
        func link(_ at: String, _ target: String) throws {
            try? fm.removeItem(atPath: dir + "/" + at)
            try fm.createDirectory(atPath: (dir + "/" + at as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: dir + "/" + at, withDestinationPath: target)
        }
        // An absolute link to a file outside (the red team's /etc/shadow).
        try link("proc/sys/kernel/osrelease", secret)
        // A relative link whose `..`s climb out of the tree.
        try link("proc/cmdline", String(repeating: "../", count: 24) + secret.dropFirst())
        // A directory link to the live /sys, and a relative one climbing out to it.
        try link("sys/bus", "/sys/bus")
        try link("sys/kernel/iommu_groups", String(repeating: "../", count: 24) + "sys/kernel/iommu_groups")
        // A loop.
        try link("sys/firmware/acpi/tables/DMAR", "IVRS")
        try link("sys/firmware/acpi/tables/IVRS", "DMAR")
        // In-tree links, absolute and relative with `..`, that must keep working.
        try fm.createDirectory(atPath: dir + "/captured", withIntermediateDirectories: true)
        try fm.moveItem(atPath: dir + "/sys/devices/system/cpu/online", toPath: dir + "/captured/online")
        try link("sys/devices/system/cpu/online", "/captured/online")
        try fm.moveItem(atPath: dir + "/proc/cpuinfo", toPath: dir + "/captured/cpuinfo")
        try link("proc/cpuinfo", "../captured/../captured/cpuinfo")
        return Tree(dir: dir, secret: secret)
    }

    @Test(arguments: ["text", "json", "html", "junit", "prometheus", "nfd"])
    func nothingOutsideTheTreeReachesAReport(_ format: String) throws {
        let tree = try Self.hostileTree()
        let r = try VirtCheckBinary.run(["check", "--root", tree.dir, "--format", format], timeout: 120)
        #expect(!r.timedOut)
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        #expect(!r.stdout.isEmpty)
        #expect(!r.stdout.contains(Self.marker), "a link read \(tree.secret) into the \(format) report")
        #expect(!r.stderr.contains(Self.marker))
    }

    @Test func captureSnapshotHoldsOnlyTheTree() throws {
        let tree = try Self.hostileTree()
        let r = try VirtCheckBinary.run(["capture", "--root", tree.dir], timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains(Self.marker), "capture --root copied a file from outside the tree")
        let json = try #require(r.json)
        // The live /sys/bus/pci/devices (reached before through the sys/bus link) lists this
        // machine's PCI functions; none may appear.
        let live = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/pci/devices")) ?? []
        for address in live {
            #expect(!r.stdout.contains("\"\(address)\""), "the live PCI function \(address) was read through sys/bus")
        }
        // The in-tree links still read: online CPUs through an absolute link, cpuinfo through `..`.
        #expect((json["host"] as? [String: Any])?["online_cpus"] as? [Int] == [0, 1])
        let cpuinfo = json["cpuinfo"] as? [String: Any]
        #expect(cpuinfo?["status"] as? String == "ok")
        #expect((cpuinfo?["text"] as? String)?.contains("AMD EPYC") == true)
    }
}
