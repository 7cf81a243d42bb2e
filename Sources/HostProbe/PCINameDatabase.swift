import CShims
import Glibc

/// Vendor, device and class names from pci.ids, for the functions present.
///
/// Only the database's location comes from libpci (`pci_alloc`'s default; libpci is loaded at
/// this first use, `vc_pci_open`, and without it no function is named); an uncompressed file
/// (`scanPath`) is read by `PCIIDsScan`, which finds just the present IDs' names in one pass (libpci's first
/// lookup parses the whole database). A compressed one (`pci.ids.gz`) is left to libpci's
/// `pci_lookup_name`. Enumeration and config space are read from sysfs through `HostRoot`, because
/// libpci's error callback is expected never to return (its default calls exit), so a malformed
/// fixture tree or a device vanishing mid-scan would end the process instead of becoming
/// evidence. Names are a property of the database, not of the host, so the same database serves
/// the live host and `--root` trees. Not thread-safe: one per probe.
final class PCINameDatabase {
    /// One function's IDs, and what to call them.
    struct IDs: Hashable {
        var vendor: Int?
        var device: Int?
        /// Base class and subclass (`0x0300`).
        var classCode: Int?
    }

    struct Names: Hashable {
        var vendor: String?
        var device: String?
        var className: String?
    }

    private let access: OpaquePointer
    /// The ids file libpci is configured with (`/usr/share/misc/pci.ids.gz` on Debian, which
    /// ships it uncompressed; see `scanPath`): the report's `names_source`, as before.
    let path: String?

    init?() {
        // libpci reports an allocation failure through its default callback, exit(1), in
        // pci_alloc and (pci.ids loading) in the lookups: an exit code that reads as a verdict.
        vc_guard_library_exit(1)
        defer { vc_guard_library_exit(0) }
        guard let access = vc_pci_open() else { return nil }
        self.access = access
        path = vc_pci_id_file(access).map { String(cString: $0) }
    }

    deinit { vc_pci_close(access) }

    /// The uncompressed file `PCIIDsScan` reads: libpci's, or, when that name ends in `.gz` and no
    /// such file exists, the name without it (libpci falls back to it the same way; pciutils
    /// lib/names-parse.c, pci_open). Debian's libpci names `/usr/share/misc/pci.ids.gz` and ships
    /// `/usr/share/misc/pci.ids`. nil when the file is compressed: left to libpci.
    var scanPath: String? {
        guard let path else { return nil }
        guard path.hasSuffix(".gz") else { return path }
        return Glibc.access(path, F_OK) == 0 ? nil : String(path.dropLast(3))
    }

    /// The names of each function's IDs, in order: one scan of pci.ids for all of them.
    func names(_ functions: [IDs]) -> [Names] {
        guard let path = scanPath else { return functions.map(libpciNames) }
        var query = PCIIDsScan.Query()
        for f in functions {
            guard let vendor = f.vendor.flatMap(UInt16.init(exactly:)) else { continue }
            query.vendors.insert(vendor)
            if let device = f.device.flatMap(UInt16.init(exactly:)) { query.devices.insert(UInt32(vendor) << 16 | UInt32(device)) }
        }
        for f in functions { if let c = f.classCode.flatMap(UInt16.init(exactly:)) { query.classes.insert(c) } }
        guard let found = PCIIDsScan.scan(path: path, for: query) else { return functions.map { _ in Names() } }
        return functions.map { f in
            let vendor = f.vendor.flatMap(UInt16.init(exactly:))
            return Names(
                vendor: vendor.flatMap { found.vendors[$0] },
                device: vendor.flatMap { v in f.device.flatMap(UInt16.init(exactly:)).flatMap { found.devices[UInt32(v) << 16 | UInt32($0)] } },
                className: f.classCode.flatMap(UInt16.init(exactly:)).flatMap(found.className))
        }
    }

    /// Through libpci, which loads the whole database at the first lookup.
    func libpciNames(_ f: IDs) -> Names {
        Names(vendor: f.vendor.flatMap(vendor),
              device: f.vendor.flatMap { v in f.device.flatMap { device(vendor: v, device: $0) } },
              className: f.classCode.flatMap(className))
    }

    func vendor(_ vendor: Int) -> String? {
        lookup { vc_pci_vendor_name(access, $0, $1, Int32(vendor)) }
    }

    func device(vendor: Int, device: Int) -> String? {
        lookup { vc_pci_device_name(access, $0, $1, Int32(vendor), Int32(device)) }
    }

    /// `classCode` is base class and subclass (`0x0300`).
    func className(_ classCode: Int) -> String? {
        lookup { vc_pci_class_name(access, $0, $1, Int32(classCode)) }
    }

    /// One lookup into a buffer of its own; nil when pci.ids has no name.
    private func lookup(_ call: (UnsafeMutablePointer<CChar>, Int32) -> UnsafeMutablePointer<CChar>?) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        vc_guard_library_exit(1)
        defer { vc_guard_library_exit(0) }
        return buffer.withUnsafeMutableBufferPointer { buf in
            call(buf.baseAddress!, Int32(buf.count)).map { String(cString: $0) }
        }
    }
}
