#!/usr/bin/env python3
"""Builds the fixture trees under roots/: a fake /sys, /proc and /dev per host, read by the same
probe code as the live machine. Run from this directory: python3 make_roots.py [--live-guest].

Group membership, addresses, IDs and command lines come from the real listings named in each
root's README.md; config-space bytes, ACS bits, unit registers and ACPI tables are made up to
match those listings (see the README of each root). ACPI tables are built field by field from
the Intel VT-d spec rev 4.1 ch. 8 (DMAR) and AMD IOMMU spec 48882 rev 3.08 sec. 5.2 (IVRS).
"""
import os, shutil, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = os.path.join(HERE, "roots")

# ---------------------------------------------------------------- config space
PORT_TYPE = {"endpoint": 0, "legacy": 1, "root-port": 4, "upstream": 5, "downstream": 6,
             "pcie-to-pci": 7, "rc-endpoint": 9}

def config(vendor, device, cls, header_type=0, mf=False, rev=0, caps=(), ext=(), bus=None, size=None):
    """Type 0/1 header, standard capabilities at fixed offsets, extended ones from 100h."""
    express = any(c[0] == "pcie" for c in caps)
    size = size or (4096 if express else 256)
    b = bytearray(size)
    struct.pack_into("<HHHH", b, 0, vendor, device, 0x0406, 0x0010 if caps else 0)
    b[8] = rev
    b[9], b[10], b[11] = cls & 0xff, (cls >> 8) & 0xff, (cls >> 16) & 0xff
    b[0x0e] = header_type | (0x80 if mf else 0)
    if bus:
        b[0x18], b[0x19], b[0x1a] = bus
    slots = {"pm": 0x40, "msi": 0x50, "pcie": 0x70, "msix": 0xb0, "af": 0xc0, "vendor": 0xd0}
    order = [c for c in caps]
    for i, cap in enumerate(order):
        kind, args = cap[0], cap[1] if len(cap) > 1 else {}
        at = slots[kind]
        nxt = slots[order[i + 1][0]] if i + 1 < len(order) else 0
        if i == 0:
            b[0x34] = at
        cid = {"pm": 0x01, "msi": 0x05, "pcie": 0x10, "msix": 0x11, "af": 0x13, "vendor": 0x09}[kind]
        b[at], b[at + 1] = cid, nxt
        if kind == "pm":
            struct.pack_into("<HH", b, at + 2, 0x0003, 0x0008 if args.get("nsr") else 0)
        elif kind == "msi":
            struct.pack_into("<H", b, at + 2, (args.get("mmc", 0) << 1) | 0x80 | (1 if args.get("on") else 0))
        elif kind == "pcie":
            t = PORT_TYPE[args.get("type", "endpoint")]
            struct.pack_into("<H", b, at + 2, 0x0002 | (t << 4))
            struct.pack_into("<I", b, at + 4, (1 << 28 if args.get("flr") else 0) | args.get("mps", 1))
            struct.pack_into("<I", b, at + 0x0c, args.get("speed", 3) | (args.get("width", 1) << 4))
        elif kind == "msix":
            struct.pack_into("<H", b, at + 2, (args.get("size", 1) - 1) | (0x8000 if args.get("on") else 0))
        elif kind == "af":
            b[at + 2], b[at + 3] = 6, 0x03 if args.get("flr", True) else 0x01
        elif kind == "vendor":
            b[at + 2] = 8
    at = 0x100
    for i, cap in enumerate(ext):
        kind, args = cap[0], cap[1] if len(cap) > 1 else {}
        nxt = at + 0x40 if i + 1 < len(ext) else 0
        cid = {"aer": 0x0001, "acs": 0x000d, "ats": 0x000f, "sriov": 0x0010, "pri": 0x0013, "pasid": 0x001b}[kind]
        struct.pack_into("<I", b, at, cid | (1 << 16) | (nxt << 20))
        if kind == "acs":
            struct.pack_into("<HH", b, at + 4, args.get("cap", 0x5f), args.get("ctl", 0x1d))
        elif kind == "sriov":
            struct.pack_into("<HH", b, at + 0x0c, args["initial"], args["total"])
        at = nxt
    return bytes(b)

# Common capability sets (made up, typical for the device kind).
def endpoint(flr=True, msix=8, msi=True, nsr=True, acs=False, extra=()):
    caps = [("pm", {"nsr": nsr})] + ([("msi", {})] if msi else []) + \
           [("pcie", {"type": "endpoint", "flr": flr, "mps": 1, "speed": 3, "width": 4})] + \
           ([("msix", {"size": msix, "on": True})] if msix else [])
    ext = [("aer",)] + ([("acs", {"cap": 0x5f, "ctl": 0x00})] if acs else []) + list(extra)
    return caps, ext

def rc_function(msi=True, af=False, nsr=True, pm=True):
    caps = ([("pm", {"nsr": nsr})] if pm else []) + ([("msi", {})] if msi else []) + ([("af", {"flr": True})] if af else [])
    return caps, []

def port(kind, sec, sub, acs=True, ctl=0x1d):
    caps = [("pm", {"nsr": True}), ("msi", {}), ("pcie", {"type": kind, "speed": 4, "width": 16})]
    ext = [("aer",)] + ([("acs", {"cap": 0x5f, "ctl": ctl})] if acs else [])
    return caps, ext, (0, sec, sub)

# ---------------------------------------------------------------- ACPI tables
def acpi_table(sig, body, revision=1, oem=b"VCHECK", table_id=b"FIXTURE "):
    length = 36 + len(body)
    hdr = bytearray(struct.pack("<4sIBB6s8sI4sI", sig, length, revision, 0, oem, table_id, 1, b"VCHK", 1))
    data = hdr + body
    data[9] = (-sum(data)) & 0xff
    return bytes(data)

def dmar_scope(kind, bus, path, enum_id=0):
    """VT-d 4.1 sec. 8.3.1 Device Scope: type, length, reserved(2), enumeration id, start bus, path."""
    p = b"".join(struct.pack("<BB", d, f) for d, f in path)
    return struct.pack("<BBHBB", kind, 6 + len(p), 0, enum_id, bus) + p

def drhd(base, segment=0, include_all=False, scopes=b""):
    """VT-d 4.1 sec. 8.3: type 0, length, flags, size, segment, register base, scopes."""
    return struct.pack("<HHBBHQ", 0, 16 + len(scopes), 1 if include_all else 0, 0, segment, base) + scopes

def rmrr(base, limit, scopes, segment=0):
    """VT-d 4.1 sec. 8.4: type 1, length, reserved, segment, base, limit, scopes."""
    return struct.pack("<HHHHQQ", 1, 24 + len(scopes), 0, segment, base, limit) + scopes

def atsr(scopes, all_ports=False, segment=0):
    """VT-d 4.1 sec. 8.5: type 2, length, flags, reserved, segment, scopes."""
    return struct.pack("<HHBBH", 2, 8 + len(scopes), 1 if all_ports else 0, 0, segment) + scopes

def rhsa(base, domain):
    """VT-d 4.1 sec. 8.6: type 3, length 20, reserved, register base, proximity domain."""
    return struct.pack("<HHIQI", 3, 20, 0, base, domain)

def satc(scopes, segment=0):
    """VT-d 4.1 sec. 8.8: type 5, length, flags, reserved, segment, scopes."""
    return struct.pack("<HHBBH", 5, 8 + len(scopes), 1, 0, segment) + scopes

def dmar(haw, flags, structures):
    """VT-d 4.1 sec. 8.1: header, host address width - 1, flags, 10 reserved bytes."""
    return acpi_table(b"DMAR", struct.pack("<BB10x", haw - 1, flags) + b"".join(structures))

def ivrs(ivinfo, blocks):
    """AMD 48882 sec. 5.2.1: header, IVinfo, 8 reserved bytes, IVDBs."""
    return acpi_table(b"IVRS", struct.pack("<I8x", ivinfo) + b"".join(blocks), revision=2)

def ivhd11(devid, cap_off, base, efr, entries, segment=0, flags=0xb0):
    """AMD 48882 sec. 5.2.2.1 type 11h: type, flags, length, device id, cap offset, base,
    segment, IOMMU info, attributes, EFR image, reserved; then device entries."""
    body = struct.pack("<BBHHHQHHIQQ", 0x11, flags, 40 + len(entries), devid, cap_off, base, segment, 0, 0, efr, 0)
    return body + entries

def ivhd_entry4(kind, devid, setting=0):
    return struct.pack("<BHB", kind, devid, setting)

def ivhd_special(handle, devid, variety):
    """Type 48h: special device (IOAPIC variety 1, HPET variety 2)."""
    return struct.pack("<BHBBHB", 0x48, 0, 0, handle, devid, variety)

# ---------------------------------------------------------------- tree writer
class Root:
    def __init__(self, name):
        self.dir = os.path.join(ROOTS, name)
        readme = os.path.join(self.dir, "README.md")
        kept = open(readme).read() if os.path.exists(readme) else None  # hand-written provenance
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        if kept is not None:
            with open(readme, "w") as f:
                f.write(kept)
        for d in ("sys/kernel/iommu_groups", "sys/class/iommu", "sys/bus/pci/devices", "proc",
                  "sys/firmware/acpi/tables", "sys/module"):
            os.makedirs(self.path(d), exist_ok=True)

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)

    def link(self, rel, target):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if os.path.lexists(p):
            os.remove(p)
        os.symlink(target, p)

    def device(self, addr, vendor, device, cls, cfg, driver=None, group=None, reset=None, numa="-1"):
        d = "sys/bus/pci/devices/" + addr
        self.write(d + "/vendor", "0x%04x\n" % vendor)
        self.write(d + "/device", "0x%04x\n" % device)
        self.write(d + "/class", "0x%06x\n" % cls)
        self.write(d + "/config", cfg)
        self.write(d + "/enable", "1\n" if driver else "0\n")
        self.write(d + "/numa_node", numa + "\n")
        if driver:
            self.link(d + "/driver", "../../../bus/pci/drivers/" + driver)
        if group is not None:
            self.link(d + "/iommu_group", "../../../kernel/iommu_groups/%d" % group)
            self.write("sys/kernel/iommu_groups/%d/devices/%s" % (group, addr), "")
        if reset is not None:
            self.write(d + "/reset_method", reset + "\n")

    def group_type(self, group, kind):
        self.write("sys/kernel/iommu_groups/%d/type" % group, kind + "\n")

    def keep_empty(self):
        """git stores no empty directory; sysfs has no hidden names, so the probe skips `.keep`."""
        for top, dirs, files in os.walk(self.dir):
            if not dirs and not files:
                open(os.path.join(top, ".keep"), "w").close()

    def interrupts(self, remapped, chips=None):
        lines = ["            CPU0       CPU1"]
        n = 24
        apic = "IR-IO-APIC" if remapped else "IO-APIC"
        msi = "IR-PCI-MSIX" if remapped else "PCI-MSIX"
        for name in ("timer", "acpi"):
            lines.append("%4d: %10d %10d  %s   %d-edge      %s" % (n, 5, 0, apic, n, name)); n += 1
        for addr, name in chips or []:
            lines.append("%4d: %10d %10d  %s-%s    0-edge      %s" % (n, 100, 20, msi, addr, name)); n += 1
        lines.append(" NMI:          0          0   Non-maskable interrupts")
        self.write("proc/interrupts", "\n".join(lines) + "\n")

    def vfio(self, unsafe="N"):
        self.write("dev/vfio/vfio", "")
        for m in ("vfio", "vfio_pci", "vfio_pci_core"):
            self.write("sys/module/%s/.keep" % m, "")
        self.write("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", unsafe + "\n")

# ---------------------------------------------------------------- hosts
def intel_desktop(name="intel-desktop-gpu", config_size=None, with_reset=True, with_acpi=True):
    """asokolsky duo: Core i7 Coffee Lake, Z370, GT 1030 + its HDMI audio behind the CPU root port."""
    r = Root(name)
    r.write("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.8.0-49-generic root=UUID=9ff8c203-950b-4f46-8c41-6e994151ecd3 ro quiet splash\n")
    sz = config_size
    def dev(addr, ven, did, cls, caps_ext, driver=None, group=None, reset=None, hdr=0, mf=False, bus=None):
        caps, ext = caps_ext[0], caps_ext[1]
        cfg = config(ven, did, cls, header_type=hdr, mf=mf, caps=caps, ext=ext, bus=bus)
        if sz:
            cfg = cfg[:sz]
        r.device(addr, ven, did, cls, cfg, driver, group, reset if with_reset else None)
    def bridge(addr, did, group, sec, acs=False):
        caps, ext, bus = port("root-port", sec, sec, acs=acs)
        dev(addr, 0x8086, did, 0x060400, (caps, ext), "pcieport", group, "pm", hdr=1, bus=bus)
    dev("0000:00:00.0", 0x8086, 0x3ec2, 0x060000, ([], []), "skl_uncore", 1)
    dev("0000:00:02.0", 0x8086, 0x3e92, 0x030000, rc_function(msi=True, af=True, nsr=False), "i915", 0, "af_flr pm")
    bridge("0000:00:01.0", 0x1901, 2, 1)
    dev("0000:01:00.0", 0x10de, 0x1d01, 0x030000, endpoint(flr=False, msix=0, nsr=True), "nouveau", 2, None, mf=True)
    dev("0000:01:00.1", 0x10de, 0x0fb8, 0x040300, endpoint(flr=False, msix=0, nsr=True), "snd_hda_intel", 2, None, mf=True)
    dev("0000:00:14.0", 0x8086, 0xa2af, 0x0c0330, rc_function(msi=True, nsr=False), "xhci_hcd", 3, "pm", mf=True)
    dev("0000:00:14.2", 0x8086, 0xa2b1, 0x118000, rc_function(msi=True), "intel_pch_thermal", 3, None, mf=True)
    dev("0000:00:16.0", 0x8086, 0xa2ba, 0x078000, rc_function(msi=True, nsr=False), "mei_me", 4, "pm")
    dev("0000:00:17.0", 0x8086, 0xa282, 0x010601, rc_function(msi=True, nsr=False), "ahci", 5, "pm")
    bridge("0000:00:1c.0", 0xa290, 6, 2)
    bridge("0000:00:1c.5", 0xa295, 7, 3)
    bridge("0000:00:1c.6", 0xa296, 8, 4)
    bridge("0000:00:1d.0", 0xa298, 9, 5)
    dev("0000:00:1f.0", 0x8086, 0xa2c9, 0x060100, ([], []), None, 10, None, mf=True)
    dev("0000:00:1f.2", 0x8086, 0xa2a1, 0x058000, ([], []), None, 10, None, mf=True)
    dev("0000:00:1f.3", 0x8086, 0xa2f0, 0x040300, rc_function(msi=True, nsr=False), "snd_hda_intel", 10, "pm", mf=True)
    dev("0000:00:1f.4", 0x8086, 0xa2a3, 0x0c0500, ([], []), "i801_smbus", 10, None, mf=True)
    dev("0000:00:1f.6", 0x8086, 0x15b8, 0x020000, rc_function(msi=True, af=True, nsr=False), "e1000e", 11, "af_flr pm", mf=True)
    dev("0000:03:00.0", 0x8086, 0x1539, 0x020000, endpoint(flr=True, msix=5), "igb", 12, "flr bus")
    dev("0000:04:00.0", 0x8086, 0x24fb, 0x028000, endpoint(flr=True, msix=16), "iwlwifi", 13, "flr bus")
    dev("0000:05:00.0", 0x15b7, 0x5009, 0x010802, endpoint(flr=True, msix=17), "nvme", 14, "flr bus")
    for g in range(15):
        r.group_type(g, "DMA-FQ")
    for unit, cap, ecap, members in (("dmar0", "1c0000c40660462", "19e2ff0505e", ["0000:00:02.0"]),
                                     ("dmar1", "d2008c40660462", "f050da", ["0000:00:00.0", "0000:01:00.0", "0000:03:00.0"])):
        r.write("sys/class/iommu/%s/intel-iommu/cap" % unit, cap + "\n")
        r.write("sys/class/iommu/%s/intel-iommu/ecap" % unit, ecap + "\n")
        r.write("sys/class/iommu/%s/intel-iommu/version" % unit, "1:0\n")
        for m in members:
            r.write("sys/class/iommu/%s/devices/%s" % (unit, m), "")
    if with_acpi:
        r.write("sys/firmware/acpi/tables/DMAR", dmar(39, 0x03, [
            drhd(0xfed90000, scopes=dmar_scope(1, 0, [(2, 0)])),
            drhd(0xfed91000, include_all=True, scopes=dmar_scope(3, 0, [(0x1f, 0)], enum_id=2) + dmar_scope(4, 0, [(0x1f, 0)], enum_id=0)),
            rmrr(0x7c8c0000, 0x7c8dffff, dmar_scope(1, 0, [(0x14, 0)])),
            rmrr(0x7d800000, 0x7fffffff, dmar_scope(1, 0, [(2, 0)]))]))
    r.interrupts(True, [("0000:03:00.0", "enp3s0-TxRx-0"), ("0000:05:00.0", "nvme0q0")])
    r.vfio()
    r.keep_empty()
    return r

def amd_ryzen():
    """MapManagement gpu-passthrough: Ryzen (Matisse) on a 500-series board; chipset group 15."""
    r = Root("amd-ryzen-chipset-group")
    r.write("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=5d1c6f0e-1111-4c2a-9d7e-0a1b2c3d4e5f ro quiet amd_iommu=on iommu=pt\n")
    def dev(addr, did, cls, ce, driver=None, group=None, reset=None, ven=0x1022, hdr=0, mf=False, bus=None):
        r.device(addr, ven, did, cls, config(ven, did, cls, header_type=hdr, mf=mf, caps=ce[0], ext=ce[1], bus=bus), driver, group, reset)
    def bridge(addr, did, group, kind, sec, sub, acs, ven=0x1022, mf=False):
        caps, ext, bus = port(kind, sec, sub, acs=acs)
        dev(addr, did, 0x060400, (caps, ext), "pcieport", group, "pm", ven=ven, hdr=1, mf=mf, bus=bus)
    dev("0000:00:00.0", 0x1480, 0x060000, ([], []))
    dev("0000:00:00.2", 0x1481, 0x080600, rc_function(msi=True))
    for addr, g in (("0000:00:01.0", 0), ("0000:00:02.0", 3), ("0000:00:03.0", 4), ("0000:00:04.0", 6),
                    ("0000:00:05.0", 7), ("0000:00:07.0", 8), ("0000:00:08.0", 10)):
        dev(addr, 0x1482, 0x060000, ([], []), None, g)
    bridge("0000:00:01.1", 0x1483, 1, "root-port", 0x01, 0x01, True)
    bridge("0000:00:01.2", 0x1483, 2, "root-port", 0x02, 0x05, True)
    bridge("0000:00:03.1", 0x1483, 5, "root-port", 0x06, 0x08, True)
    bridge("0000:00:07.1", 0x1484, 9, "root-port", 0x09, 0x09, True)
    bridge("0000:00:08.1", 0x1484, 11, "root-port", 0x0a, 0x0a, True)
    dev("0000:00:14.0", 0x790b, 0x0c0500, ([], []), "piix4_smbus", 12, None, mf=True)
    dev("0000:00:14.3", 0x790e, 0x060100, ([], []), None, 12, None, mf=True)
    for f, did in enumerate(range(0x1440, 0x1448)):
        dev("0000:00:18.%d" % f, did, 0x060000, ([], []), "k10temp" if f == 3 else None, 13, None, mf=True)
    dev("0000:01:00.0", 0x5012, 0x010802, endpoint(flr=True, msix=9), "nvme", 14, "flr bus", ven=0x1987)
    # Chipset: USB, SATA and the switch upstream port are functions of 02:00; its downstream ports lack ACS.
    dev("0000:02:00.0", 0x43ee, 0x0c0330, endpoint(flr=False, msix=8), "xhci_hcd", 15, "pm", mf=True)
    dev("0000:02:00.1", 0x43eb, 0x010601, endpoint(flr=False, msix=0), "ahci", 15, "pm", mf=True)
    bridge("0000:02:00.2", 0x43e9, 15, "upstream", 0x03, 0x05, False, mf=True)
    bridge("0000:03:00.0", 0x43ea, 15, "downstream", 0x04, 0x04, False)
    bridge("0000:03:08.0", 0x43ea, 15, "downstream", 0x05, 0x05, False)
    dev("0000:04:00.0", 0x699f, 0x030000, endpoint(flr=False, msix=0, nsr=True), "amdgpu", 15, None, ven=0x1002, mf=True)
    dev("0000:04:00.1", 0xaae0, 0x040300, endpoint(flr=False, msix=0, nsr=True), "snd_hda_intel", 15, None, ven=0x1002, mf=True)
    dev("0000:05:00.0", 0x8125, 0x020000, endpoint(flr=False, msix=32, nsr=False), "r8169", 15, "pm bus", ven=0x10ec)
    bridge("0000:06:00.0", 0x1478, 16, "upstream", 0x07, 0x08, False, ven=0x1002)
    bridge("0000:07:00.0", 0x1479, 17, "downstream", 0x08, 0x08, True, ven=0x1002)
    dev("0000:08:00.0", 0x73a5, 0x030000, endpoint(flr=False, msix=0, nsr=True, acs=True), "vfio-pci", 18, None, ven=0x1002, mf=True)
    dev("0000:08:00.1", 0xab28, 0x040300, endpoint(flr=False, msix=0, nsr=True, acs=True), "vfio-pci", 19, None, ven=0x1002, mf=True)
    dev("0000:09:00.0", 0x148a, 0x130000, endpoint(flr=False, msix=0, msi=False, nsr=True), None, 20, None)
    dev("0000:0a:00.0", 0x1485, 0x130000, endpoint(flr=False, msix=0, msi=False, nsr=True), None, 21, None, mf=True)
    dev("0000:0a:00.1", 0x1486, 0x108000, endpoint(flr=True, msix=2), "ccp", 22, "flr", mf=True)
    dev("0000:0a:00.3", 0x149c, 0x0c0330, endpoint(flr=True, msix=8), "xhci_hcd", 23, "flr", mf=True)
    dev("0000:0a:00.4", 0x1487, 0x040300, endpoint(flr=True, msix=0), "snd_hda_intel", 24, "flr", mf=True)
    for g in range(25):
        r.group_type(g, "identity")
    efr = 0xF000043DE
    r.write("sys/class/iommu/ivhd0/amd-iommu/cap", "90b540f\n")
    r.write("sys/class/iommu/ivhd0/amd-iommu/features", "%x:0\n" % efr)
    for m in ("0000:00:01.1", "0000:04:00.0", "0000:08:00.0"):
        r.write("sys/class/iommu/ivhd0/devices/%s" % m, "")
    entries = (ivhd_entry4(0x03, 0x0008) + ivhd_entry4(0x04, 0xfffe) +
               ivhd_special(0x21, 0x00a0, 1) + ivhd_special(0x00, 0x00a0, 2))
    ivinfo = 0x1 | (48 << 8) | (64 << 15)
    r.write("sys/firmware/acpi/tables/IVRS", ivrs(ivinfo, [ivhd11(0x0002, 0x40, 0xfd200000, efr, entries)]))
    r.interrupts(True, [("0000:01:00.0", "nvme0q0"), ("0000:05:00.0", "enp5s0")])
    r.vfio()
    r.keep_empty()
    return r

def intel_server(name="intel-server-multi-dmar", malformed=False):
    """EthanZHF iommu_tools: Sapphire Rapids server, 20 DMAR units (dmar0, dmar15, dmar19 kept),
    with the BMC's ASPEED VGA behind an AST1150 PCIe-to-PCI bridge."""
    r = Root(name)
    r.write("proc/cmdline", "BOOT_IMAGE=/vmlinuz-5.15.0-91-generic root=/dev/mapper/vg-root ro intel_iommu=on,sm_on iommu=pt\n")
    def dev(addr, ven, did, cls, ce, driver=None, group=None, reset=None, hdr=0, mf=False, bus=None):
        r.device(addr, ven, did, cls, config(ven, did, cls, header_type=hdr, mf=mf, caps=ce[0], ext=ce[1], bus=bus), driver, group, reset)
    def bridge(addr, ven, did, group, kind, sec, acs=True):
        caps, ext, bus = port(kind, sec, sec, acs=acs)
        dev(addr, ven, did, 0x060400, (caps, ext), "pcieport", group, "pm", hdr=1, bus=bus)
    dev("0000:00:00.0", 0x8086, 0x09a2, 0x088000, ([], []), None, 51)
    dev("0000:00:00.1", 0x8086, 0x09a4, 0x088000, ([], []), None, 52)
    dev("0000:00:00.2", 0x8086, 0x09a3, 0x088000, ([], []), None, 53)
    dev("0000:00:00.4", 0x8086, 0x0b23, 0x080700, rc_function(msi=True), "pcieport", 54)
    bridge("0000:00:0d.0", 0x8086, 0x1bbd, 55, "root-port", 0x01)
    bridge("0000:00:0f.0", 0x8086, 0x1bbf, 56, "root-port", 0x02)
    dev("0000:00:14.0", 0x8086, 0x1bcd, 0x0c0330, rc_function(msi=True, nsr=False), "xhci_hcd", 57, "pm", mf=True)
    dev("0000:00:14.2", 0x8086, 0x1bce, 0x050000, ([], []), None, 57, None, mf=True)
    dev("0000:00:14.4", 0x8086, 0x1bfe, 0x060000, ([], []), None, 58, None, mf=True)
    dev("0000:00:16.0", 0x8086, 0x1be0, 0x078000, rc_function(msi=True, nsr=False), "mei_me", 60, "pm", mf=True)
    dev("0000:00:16.1", 0x8086, 0x1be1, 0x078000, rc_function(msi=True, nsr=False), None, 60, "pm", mf=True)
    dev("0000:00:16.4", 0x8086, 0x1be4, 0x078000, rc_function(msi=True, nsr=False), None, 60, "pm", mf=True)
    dev("0000:00:17.0", 0x8086, 0x1ba2, 0x010601, rc_function(msi=True, nsr=False), "ahci", 61, "pm")
    dev("0000:00:1f.0", 0x8086, 0x1b81, 0x060100, ([], []), None, 62, None, mf=True)
    dev("0000:00:1f.3", 0x8086, 0x1bc8, 0x040300, rc_function(msi=True, nsr=False), "snd_hda_intel", 62, "pm", mf=True)
    dev("0000:00:1f.4", 0x8086, 0x1bc9, 0x0c0500, ([], []), "i801_smbus", 62, None, mf=True)
    dev("0000:00:1f.5", 0x8086, 0x1bca, 0x0c8000, ([], []), "intel-spi", 62, None, mf=True)
    dev("0000:01:00.0", 0x8086, 0x15f2, 0x020000, endpoint(flr=True, msix=5), "igc", 63, "flr bus")
    caps, ext, bus = port("pcie-to-pci", 0x03, 0x03, acs=False)
    dev("0000:02:00.0", 0x1a03, 0x1150, 0x060400, (caps, ext), None, 64, None, hdr=1, bus=bus)
    dev("0000:03:00.0", 0x1a03, 0x2000, 0x030000, ([("pm", {"nsr": True}), ("msi", {})], []), "ast", 64, "bus")
    dev("0000:6a:00.4", 0x8086, 0x0b23, 0x080700, rc_function(msi=True), "pcieport", 15)
    dev("0000:6a:01.0", 0x8086, 0x0b25, 0x088000, ([("msix", {"size": 9, "on": True}), ("pcie", {"type": "rc-endpoint", "flr": True})],
                                                  [("ats",), ("pasid",), ("pri",)]), "idxd", 16, "flr")
    dev("0000:6a:02.0", 0x8086, 0x0cfe, 0x088000, ([("msix", {"size": 1}), ("pcie", {"type": "rc-endpoint", "flr": True})], []), None, 17, "flr")
    dev("0000:6b:00.0", 0x8086, 0x4940, 0x0b4000, ([("msix", {"size": 33, "on": True}), ("pcie", {"type": "rc-endpoint", "flr": True})],
                                                  [("ats",), ("sriov", {"initial": 16, "total": 16})]), "4xxx", 18, "flr")
    dev("0000:6d:00.0", 0x8086, 0x2710, 0x0b4000, ([("msix", {"size": 65, "on": True}), ("pcie", {"type": "rc-endpoint", "flr": True})],
                                                  [("sriov", {"initial": 16, "total": 16})]), None, 19, "flr")
    dev("0000:97:00.4", 0x8086, 0x0b23, 0x080700, rc_function(msi=True), "pcieport", 50)
    for g in (15, 16, 17, 18, 19, 50) + tuple(range(51, 65)):
        if os.path.isdir(r.path("sys/kernel/iommu_groups/%d" % g)):
            r.group_type(g, "identity")
    # Made-up SPR-like registers: 4- and 5-level tables, 57-bit, PI, FL1GP; ecap with SMTS, PASID
    # (20-bit), NEST, PRS, SC, PT, EIM, IR, DT, QI.
    cap = (2 | (0b01100 << 8) | (56 << 16) | (1 << 34) | (1 << 35) | (1 << 56) | (1 << 59))
    ecap = ((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 6) | (1 << 7) | (1 << 26) | (1 << 29) |
            (19 << 35) | (1 << 40) | (1 << 43))
    units = (("dmar0", 0xee7fc000, ["0000:97:00.4"]),
             ("dmar15", 0xe0ffc000, ["0000:6a:00.4", "0000:6a:01.0", "0000:6a:02.0", "0000:6b:00.0", "0000:6d:00.0"]),
             ("dmar19", 0xd37fc000, ["0000:00:00.0", "0000:00:14.0", "0000:01:00.0", "0000:03:00.0"]))
    for unit, _, members in units:
        r.write("sys/class/iommu/%s/intel-iommu/cap" % unit, "%x\n" % cap)
        r.write("sys/class/iommu/%s/intel-iommu/ecap" % unit, ("not-hex" if malformed and unit == "dmar15" else "%x" % ecap) + "\n")
        r.write("sys/class/iommu/%s/intel-iommu/version" % unit, "6:0\n")
        for m in members:
            r.write("sys/class/iommu/%s/devices/%s" % (unit, m), "")
    table = dmar(52, 0x01, [
        drhd(0xee7fc000, scopes=dmar_scope(1, 0x97, [(0, 4)])),
        drhd(0xe0ffc000, scopes=dmar_scope(1, 0x6a, [(0, 4)]) + dmar_scope(1, 0x6a, [(1, 0)]) + dmar_scope(2, 0x6a, [(2, 0)])),
        drhd(0xd37fc000, include_all=True, scopes=dmar_scope(3, 0, [(0x1f, 0)], enum_id=8) + dmar_scope(4, 0, [(0x1f, 0)], enum_id=0)),
        rmrr(0x6e8a0000, 0x6e8bffff, dmar_scope(1, 0, [(0x14, 0)])),
        atsr(b"", all_ports=True),
        rhsa(0xd37fc000, 0),
        satc(dmar_scope(1, 0x6a, [(1, 0)]))])
    if malformed:
        table = table[:70]  # header says the full length; the bytes stop inside the first DRHD
    r.write("sys/firmware/acpi/tables/DMAR", table)
    r.interrupts(True, [("0000:01:00.0", "eno1-TxRx-0"), ("0000:6b:00.0", "qat0")])
    r.vfio()
    if malformed:
        r.write("sys/bus/pci/devices/0000:01:00.0/vendor", "0xzz86\n")
        cfg = bytearray(open(r.path("sys/bus/pci/devices/0000:00:17.0/config"), "rb").read())
        cfg[0x51] = 0x40  # MSI's next pointer back to PM: a capability loop
        r.write("sys/bus/pci/devices/0000:00:17.0/config", bytes(cfg))
        os.makedirs(r.path("sys/kernel/iommu_groups/abc/devices"), exist_ok=True)
    r.keep_empty()
    return r

def live_guest():
    """This machine (a KVM guest, no IOMMU): copies of the real sysfs and procfs files."""
    r = Root("kvm-guest-no-iommu")
    for rel in ("proc/cmdline", "proc/interrupts"):
        shutil.copyfile("/" + rel, r.path(rel))
    base = "/sys/bus/pci/devices"
    for addr in sorted(os.listdir(base)):
        for attr in ("vendor", "device", "class", "config", "enable", "numa_node", "reset_method"):
            src = os.path.join(base, addr, attr)
            if os.path.exists(src):
                with open(src, "rb") as f:
                    r.write("sys/bus/pci/devices/%s/%s" % (addr, attr), f.read())
        drv = os.path.join(base, addr, "driver")
        if os.path.islink(drv):
            r.link("sys/bus/pci/devices/%s/driver" % addr, os.readlink(drv))
    for table in sorted(os.listdir("/sys/firmware/acpi/tables")):
        if os.path.isfile("/sys/firmware/acpi/tables/" + table) and table in ("DMAR", "IVRS"):
            shutil.copyfile("/sys/firmware/acpi/tables/" + table, r.path("sys/firmware/acpi/tables/" + table))
    for m in sorted(os.listdir("/sys/module")):
        if m.startswith("vfio"):
            r.write("sys/module/%s/.keep" % m, "")
    r.write("sys/module/kvm/.keep", "")
    r.keep_empty()
    return r

if __name__ == "__main__":
    intel_desktop()
    intel_desktop("nonroot-intel-desktop", config_size=64, with_reset=False, with_acpi=False)
    amd_ryzen()
    intel_server()
    intel_server("malformed-intel-server", malformed=True)
    if "--live-guest" in sys.argv:
        live_guest()
