import CPCI
import CShims

/// Vendor, device and class names from pci.ids through libpci's `pci_lookup_name`.
///
/// Only the name lookup goes through libpci: enumeration and config space are read from sysfs
/// through `HostRoot`, because libpci's error callback is expected never to return (its default
/// calls exit), so a malformed fixture tree or a device vanishing mid-scan would end the process
/// instead of becoming evidence. Names are a property of the database, not of the host, so the
/// same database serves the live host and `--root` trees. Not thread-safe: one per probe.
final class PCINameDatabase {
    private let access: UnsafeMutablePointer<pci_access>
    /// The ids file libpci loads (`/usr/share/misc/pci.ids` on Debian/Ubuntu).
    let path: String?

    init?() {
        // libpci reports an allocation failure through its default callback, exit(1), in
        // pci_alloc and (pci.ids loading) in the lookups: an exit code that reads as a verdict.
        vc_guard_library_exit(1)
        defer { vc_guard_library_exit(0) }
        guard let access = pci_alloc() else { return nil }
        virtcheck_pci_quiet(access)
        // Local pci.ids only: no DNS lookups and no ~/.pciids-cache, which would make names
        // depend on who runs the tool rather than on the database.
        access.pointee.id_lookup_mode = 0
        self.access = access
        path = access.pointee.id_file_name.map { String(cString: $0) }
    }

    deinit { pci_cleanup(access) }

    func vendor(_ vendor: Int) -> String? {
        lookup(Int32(PCI_LOOKUP_VENDOR.rawValue)) { a, buf, size, flags in
            virtcheck_pci_lookup1(a, buf, size, flags, Int32(vendor))
        }
    }

    func device(vendor: Int, device: Int) -> String? {
        lookup(Int32(PCI_LOOKUP_DEVICE.rawValue)) { a, buf, size, flags in
            virtcheck_pci_lookup2(a, buf, size, flags, Int32(vendor), Int32(device))
        }
    }

    /// `classCode` is base class and subclass (`0x0300`).
    func className(_ classCode: Int) -> String? {
        lookup(Int32(PCI_LOOKUP_CLASS.rawValue)) { a, buf, size, flags in
            virtcheck_pci_lookup1(a, buf, size, flags, Int32(classCode))
        }
    }

    /// NO_NUMBERS: nil rather than "Device 0d57" when unnamed; NO_HWDB: pci.ids only, not udev's copy.
    private func lookup(_ kind: Int32,
                        _ call: (UnsafeMutablePointer<pci_access>, UnsafeMutablePointer<CChar>, Int32, Int32) -> UnsafeMutablePointer<CChar>?) -> String? {
        let flags = kind | Int32(PCI_LOOKUP_NO_NUMBERS.rawValue) | Int32(PCI_LOOKUP_NO_HWDB.rawValue)
        var buffer = [CChar](repeating: 0, count: 256)
        vc_guard_library_exit(1)
        defer { vc_guard_library_exit(0) }
        return buffer.withUnsafeMutableBufferPointer { buf in
            call(access, buf.baseAddress!, Int32(buf.count), flags).map { String(cString: $0) }
        }
    }
}
