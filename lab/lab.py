#!/usr/bin/env python3
"""The lab: boots real Linux machines under QEMU (TCG), or under Bochs where a scenario needs VT-x
("machine": "bochs"), one per scenario of lab/scenarios.json, runs the lab's own truth programs
and virtcheck inside each, and compares them (lab/check.py).

    lab/lab.py [--capture | --texts] [--list] [SCENARIO...]

scripts/lab installs the Debian packages and builds virtcheck first; this file assembles the
initramfs (cached under .build-lab/ by a hash of everything in it), boots each scenario with a
hard time limit, retries a boot once when the guest never reached its end marker (every retry
is printed and counted, never silent), and prints `lab: N passed, N failed` as its last line.
"""
import argparse
import base64
import gzip
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
import time

import check

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(ROOT, "lab")
WORK = os.path.join(ROOT, ".build-lab")
# The kernel of every scenario that does not name its own ("kernel" in lab/scenarios.json).
KVER = os.environ.get("LAB_KERNEL", "6.1.0-57-amd64")
VIRTCHECK = os.environ.get("LAB_VIRTCHECK", os.path.join(ROOT, ".build-release/release/virtcheck"))
# Modules the scenarios load, with their dependencies from the kernel package (modprobe -S).
MODULES = ["virtio_pci", "9pnet_virtio", "9p", "kvm", "kvm_amd", "kvm_intel", "msr", "cpuid",
           "nvme", "e1000e", "e1000", "vfio_pci", "vfio_iommu_type1"]
# Modules only some kernels have: left out where the kernel package lacks them (bookworm's 6.1
# is built without CONFIG_VIRTIO_IOMMU).
OPTIONAL_MODULES = ["virtio_iommu"]
TRUTH_PROGRAMS = ["kvmguest", "vfiogroup", "cpuiddump"]
PCI_IDS = "/usr/share/misc/pci.ids"
# Debian's lspci (pciutils), not busybox's applet: the text captures (`lspci -vvv`, `lspci -xxxx`)
# must be what users paste, capabilities decoded.
LSPCI = "/usr/bin/lspci"
# Bochs (Debian's bochs, bochsbios, vgabios): its CPU models implement VMX (QEMU's TCG does not).
# Bochs has no -kernel: the kernel and both initrds boot from an ISO through Debian's ISOLINUX.
ISOLINUX = ["/usr/lib/ISOLINUX/isolinux.bin", "/usr/lib/syslinux/modules/bios/ldlinux.c32"]
# The machine every Bochs scenario starts from; its "bochs" lines are added after these. Debian
# builds Bochs without the nogui display and with its debugger (which waits at the first
# instruction: the rc file below continues), so the display is the RFB server, not waiting for
# a viewer. clock sync=none runs the guest as fast as the emulation goes, its time counted in
# instructions (ips); a power-off from the guest is Bochs's "soft power off" panic, which ends it.
BOCHS_BASE = [
    "megs: 1024",
    "romimage: file=/usr/share/bochs/BIOS-bochs-latest",
    "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest",
    "ata0-master: type=cdrom, path=@RUN@/lab.iso, status=inserted",
    "boot: cdrom",
    'display_library: rfb, options="timeout=0"',
    # No sound: with ALSA's libraries but no sound card (a fresh CI machine), Bochs 2.7's mixer
    # thread aborts at start ("*** buffer overflow detected ***", in mixer_thread).
    "sound: driver=dummy",
    "speaker: enabled=0",
    "com1: enabled=1, mode=file, dev=@SHARE@/serial.log",
    "com2: enabled=1, mode=file, dev=@RUN@/com2.txt",
    "clock: sync=none, time0=local",
    "log: @RUN@/bochs.log",
    "panic: action=fatal",
    "error: action=report",
    "info: action=ignore",
    "debug: action=ignore",
]
# The guest's users: `lab` may use /dev/kvm (group kvm), `guest` may not.
PASSWD = "root:x:0:0:root:/root:/bin/sh\nlab:x:1000:1000:lab:/tmp:/bin/sh\nguest:x:1001:1001:guest:/tmp:/bin/sh\n"
GROUP = "root:x:0:\nkvm:x:108:lab\nlab:x:1000:\nguest:x:1001:\n"


def log(msg):
    print(msg, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def sha(paths, extra=""):
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(p.encode())
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def module_files(kver):
    """The module files of MODULES and their dependencies, in the installed kernel package."""
    files = []
    for m in MODULES + OPTIONAL_MODULES:
        try:
            text = sh(["modprobe", "-S", kver, "--show-depends", m])
        except subprocess.CalledProcessError:
            if m in OPTIONAL_MODULES:
                continue
            raise
        for line in text.splitlines():
            if line.startswith("insmod "):
                path = line.split()[1]
                if path not in files:
                    files.append(path)
    return files


def shared_libraries(binary):
    """What the dynamic loader maps for BINARY (ldd), the loader itself included."""
    libs = []
    for line in sh(["ldd", binary]).splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/") and os.path.exists(p):
                libs.append(p)
    return sorted(set(libs))


def build_truth():
    out = os.path.join(WORK, "truth")
    os.makedirs(out, exist_ok=True)
    for name in TRUTH_PROGRAMS:
        src = os.path.join(LAB, "truth", name + ".c")
        dst = os.path.join(out, name)
        if not os.path.exists(dst) or os.path.getmtime(dst) < os.path.getmtime(src):
            subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Werror", "-o", dst, src], check=True)
    return {n: os.path.join(out, n) for n in TRUTH_PROGRAMS}


def initramfs(kver):
    """Builds (or reuses) the initramfs for kernel KVER: busybox, /init, the lab's scripts and
    truth programs, virtcheck with its shared libraries and pci.ids, Debian's lspci, and the
    kernel's modules with depmod's index."""
    truth = build_truth()
    busybox = "/bin/busybox"
    mods = module_files(kver)
    libs = sorted(set(shared_libraries(VIRTCHECK) + shared_libraries(LSPCI)))
    guest = [os.path.join(LAB, "guest", f) for f in ("init", "lib.sh")]
    inputs = [busybox, VIRTCHECK, LSPCI, PCI_IDS] + list(truth.values()) + mods + libs + guest
    key = sha(inputs, kver + PASSWD + GROUP)
    image = os.path.join(WORK, f"initramfs-{kver}-{key}.cpio.gz")
    if os.path.exists(image):
        return image, False
    for old in os.listdir(WORK):
        if old.startswith(f"initramfs-{kver}-"):
            os.remove(os.path.join(WORK, old))
    tree = os.path.join(WORK, "tree-" + kver)
    shutil.rmtree(tree, ignore_errors=True)
    for d in ("bin", "lab", "proc", "sys", "dev", "tmp", "etc", "out", "root"):
        os.makedirs(os.path.join(tree, d))
    shutil.copy(busybox, os.path.join(tree, "bin/busybox"))
    shutil.copy(os.path.join(LAB, "guest/init"), os.path.join(tree, "init"))
    shutil.copy(os.path.join(LAB, "guest/lib.sh"), os.path.join(tree, "lab/lib.sh"))
    for name, path in truth.items():
        shutil.copy(path, os.path.join(tree, "lab", name))
    # Symbols are not needed to run it: strip them (about a third of the image's size).
    subprocess.run(["strip", "-o", os.path.join(tree, "lab/virtcheck"), VIRTCHECK], check=True)
    # /lab comes before /bin in the guest's PATH, so `lspci` is Debian's, not busybox's applet.
    shutil.copy(LSPCI, os.path.join(tree, "lab/lspci"))
    for lib in libs + [PCI_IDS]:
        dst = os.path.join(tree, lib.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(lib, dst)
    kdir = f"/lib/modules/{kver}"
    for mod in mods:
        dst = os.path.join(tree, mod.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if mod.endswith(".xz"):
            # 6.12's modules are .ko.xz, which busybox's modprobe does not load: unpack them
            # (its modules.order names them .ko).
            with lzma.open(mod) as src, open(dst[:-len(".xz")], "wb") as out:
                shutil.copyfileobj(src, out)
        else:
            shutil.copy(mod, dst)
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        shutil.copy(os.path.join(kdir, f), os.path.join(tree, kdir.lstrip("/"), f))
    subprocess.run(["depmod", "-b", tree, kver], check=True)
    with open(os.path.join(tree, "etc/passwd"), "w") as f:
        f.write(PASSWD)
    with open(os.path.join(tree, "etc/group"), "w") as f:
        f.write(GROUP)
    os.chmod(os.path.join(tree, "init"), 0o755)
    listing = sh(["find", ".", "-mindepth", "1"], cwd=tree)
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input=listing.encode(), cwd=tree,
                          check=True, capture_output=True).stdout
    tmp = image + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(cpio)
    os.rename(tmp, image)
    shutil.rmtree(tree)
    return image, True


def kernel_of(scenario):
    return scenario.get("kernel", KVER)


def qemu_command(scenario, image, share):
    base = ["qemu-system-x86_64", "-accel", "tcg,thread=single", "-m", "1G", "-smp", "2",
            "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-monitor", "none",
            "-no-reboot", "-kernel", f"/boot/vmlinuz-{kernel_of(scenario)}", "-initrd", image,
            "-virtfs", f"local,path={share},mount_tag=lab,security_model=none,id=lab"]
    args = [a.replace("@SHARE@", share) for a in scenario["qemu"]]
    return base + args + ["-append", kernel_append(scenario)]


def machine_of(scenario):
    return scenario.get("machine", "qemu")


def kernel_append(scenario):
    # no_timer_check: under a loaded host, TCG's timer can miss the kernel's boot-time check
    # (timer_irq_works), which panics q35+intremap machines with "timer doesn't work through
    # Interrupt-remapped IO-APIC" (seen once in the lab's first runs).
    # Bochs counts the serial port's bit times: its console runs at 115200, not Linux's 9600.
    console = "console=ttyS0,115200" if machine_of(scenario) == "bochs" else "console=ttyS0"
    return f"{console} panic=-1 loglevel=4 no_timer_check {scenario.get('append', '')}".strip()


def bochs_config(scenario, share, run):
    """The bochsrc of a Bochs scenario: BOCHS_BASE, then the scenario's own lines."""
    lines = BOCHS_BASE + scenario["bochs"]
    return "\n".join(l.replace("@SHARE@", share).replace("@RUN@", run) for l in lines) + "\n"


def emulator_version(machine):
    if machine == "bochs":
        version = sh(["dpkg-query", "-W", "-f", "${Version}", "bochs"])
        return f"Bochs 2.7 (Debian bochs {version})"
    return sh(["qemu-system-x86_64", "--version"]).splitlines()[0]


def provenance_command(scenario, image, share):
    """How the machine was started, for the captures' provenance."""
    if machine_of(scenario) == "bochs":
        return (f"bochs -q -f bochsrc (bochsrc: {'; '.join(bochs_config(scenario, share, 'RUN').splitlines())}); "
                f"ISOLINUX boots /boot/vmlinuz-{kernel_of(scenario)} with {image} and the scenario's cpio, "
                f"append \"{kernel_append(scenario)}\"")
    return " ".join(qemu_command(scenario, image, share))


def iso(scenario, image, share, run):
    """The ISO a Bochs scenario boots: ISOLINUX, the kernel, the lab's initramfs, and a second
    initrd with the scenario script as /out/scenario.sh (there is no share to put it in)."""
    tree = os.path.join(run, "iso")
    os.makedirs(os.path.join(tree, "isolinux"))
    for f in ISOLINUX:
        shutil.copy(f, os.path.join(tree, "isolinux"))
    shutil.copy(f"/boot/vmlinuz-{kernel_of(scenario)}", os.path.join(tree, "vmlinuz"))
    shutil.copy(image, os.path.join(tree, "initrd.gz"))
    stage = os.path.join(run, "scenario-tree")
    os.makedirs(os.path.join(stage, "out"))
    shutil.copy(os.path.join(share, "scenario.sh"), os.path.join(stage, "out/scenario.sh"))
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input=b"out\nout/scenario.sh\n", cwd=stage,
                          check=True, capture_output=True).stdout
    with open(os.path.join(tree, "scenario.cpio"), "wb") as f:
        f.write(cpio)
    with open(os.path.join(tree, "isolinux/isolinux.cfg"), "w") as f:
        f.write("SERIAL 0 115200\nDEFAULT lab\nPROMPT 0\nTIMEOUT 0\nLABEL lab\n  KERNEL /vmlinuz\n"
                f"  APPEND initrd=/initrd.gz,/scenario.cpio {kernel_append(scenario)}\n")
    path = os.path.join(run, "lab.iso")
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", path, "-b", "isolinux/isolinux.bin",
                    "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", tree],
                   check=True, capture_output=True)
    shutil.rmtree(tree)
    shutil.rmtree(stage)
    return path


def bochs_command(scenario, image, share):
    """Prepares a Bochs boot in SHARE/bochs/ (ISO, bochsrc, debugger rc) and returns its command."""
    run = os.path.join(share, "bochs")
    os.makedirs(run)
    iso(scenario, image, share, run)
    with open(os.path.join(run, "bochsrc"), "w") as f:
        f.write(bochs_config(scenario, share, run))
    with open(os.path.join(run, "debugger.rc"), "w") as f:
        f.write("continue\nquit\n")
    return ["bochs", "-q", "-f", os.path.join(run, "bochsrc"), "-rc", os.path.join(run, "debugger.rc")]


def unpack_bochs_results(share):
    """Unpacks what a Bochs guest sent through ttyS1 (a gzip'd tar in base64 between @@LAB-OUT
    markers) into SHARE. Returns None, or why nothing could be unpacked."""
    path = os.path.join(share, "bochs", "com2.txt")
    if not os.path.exists(path):
        return "no output on the second serial port"
    text = open(path, errors="replace").read()
    if "@@LAB-OUT-BEGIN" not in text or "@@LAB-OUT-END" not in text:
        return "the output on the second serial port has no end marker"
    body = text.split("@@LAB-OUT-BEGIN", 1)[1].split("@@LAB-OUT-END", 1)[0]
    try:
        data = base64.b64decode("".join(body.split()), validate=True)
    except ValueError as error:
        return f"the output on the second serial port is not base64 ({error})"
    result = subprocess.run(["tar", "-xzf", "-", "-C", share, "--no-same-owner"], input=data, capture_output=True)
    if result.returncode != 0:
        return f"the output on the second serial port does not unpack: {result.stderr.decode(errors='replace').strip()}"
    return None


def guest_script(scenario):
    lines = ["# generated by lab/lab.py from lab/scenarios.json: " + scenario["name"]]
    lines += scenario["guest"]
    return "\n".join(lines) + "\n"


def boot(scenario, image, share, limit):
    """One boot. Returns (finished, seconds, reason)."""
    shutil.rmtree(share, ignore_errors=True)
    os.makedirs(share)
    for f in scenario.get("files", []):
        path = os.path.join(share, f["name"])
        if f.get("size"):
            with open(path, "wb") as fh:
                fh.truncate(f["size"])
    with open(os.path.join(share, "scenario.sh"), "w") as f:
        f.write(guest_script(scenario))
    bochs = machine_of(scenario) == "bochs"
    start = time.monotonic()
    if bochs:
        cmd = bochs_command(scenario, image, share)
        # Bochs writes the console (COM1) to serial.log itself; its own messages go beside it.
        out_path = os.path.join(share, "bochs", "stdout.txt")
    else:
        cmd = qemu_command(scenario, image, share)
        with open(os.path.join(share, "qemu-command.txt"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        out_path = os.path.join(share, "serial.log")
    with open(out_path, "wb") as serial:
        proc = subprocess.Popen(cmd, stdout=serial, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            proc.wait(timeout=limit)
            reason = None
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            reason = f"no end after {limit} s (killed)"
    seconds = time.monotonic() - start
    path = os.path.join(share, "serial.log")
    text = open(path, "rb").read().decode(errors="replace") if os.path.exists(path) else ""
    if reason is None:
        if "@@LAB-DONE" not in text:
            tail = [l for l in text.splitlines() if "panic" in l.lower() or "@@LAB" in l]
            if bochs and not tail and os.path.exists(out_path):
                # Bochs's own last words (an abort before the guest printed anything).
                tail = [l for l in open(out_path, "rb").read().decode(errors="replace").splitlines() if l.strip()][-1:]
            reason = ("Bochs" if bochs else "QEMU") + " exited without the end marker" + (f" ({tail[-1].strip()})" if tail else "")
        elif bochs and (trouble := unpack_bochs_results(share)):
            reason = trouble
        elif "@@LAB-STATUS complete" not in text:
            reason = "the scenario script did not complete"
    return reason is None, seconds, reason


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenarios", nargs="*")
    p.add_argument("--capture", action="store_true", help="copy the captures of scenarios that name one into Data/ and Tests/")
    p.add_argument("--texts", action="store_true", help="copy the lspci/dmesg texts of scenarios that name them into Data/hosts/NAME/")
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    with open(os.path.join(LAB, "scenarios.json")) as f:
        scenarios = json.load(f)["scenarios"]
    if args.list:
        for s in scenarios:
            print(f"{s['name']:24} {s['title']}" + (" (opt-in: runs only when named)" if s.get("opt_in") else ""))
        return 0
    names = {s["name"] for s in scenarios}
    unknown = [n for n in args.scenarios if n not in names]
    if unknown:
        print(f"lab: unknown scenario {', '.join(unknown)} (lab/lab.py --list)", file=sys.stderr)
        return 2
    # An "opt_in" scenario runs only when named: its real run takes tens of minutes (docs/lab.md).
    chosen = [s for s in scenarios if s["name"] in args.scenarios] if args.scenarios else [s for s in scenarios if not s.get("opt_in")]
    os.makedirs(WORK, exist_ok=True)
    t0 = time.monotonic()
    images = {}
    for kver in dict.fromkeys(kernel_of(s) for s in chosen):
        t1 = time.monotonic()
        images[kver], built = initramfs(kver)
        log(f"lab: initramfs {os.path.relpath(images[kver], ROOT)} ({os.path.getsize(images[kver]) // 1024} KiB, "
            f"{'built' if built else 'cached'} in {time.monotonic() - t1:.1f} s), kernel {kver}, "
            f"{', '.join(emulator_version(m) for m in dict.fromkeys(machine_of(s) for s in chosen))}")
    results = []
    retries = 0
    for s in chosen:
        share = os.path.join(WORK, "runs", s["name"])
        limit = s.get("timeout", 480)
        image = images[kernel_of(s)]
        ok, seconds, reason = boot(s, image, share, limit)
        total = seconds
        attempts = 1
        if not ok:
            retries += 1
            log(f"lab: RETRY {s['name']}: boot 1 failed after {seconds:.0f} s: {reason}; its logs kept in .build-lab/failed-boots/")
            os.makedirs(WORK + "/failed-boots", exist_ok=True)
            # What the failed boot left (a machine that died at once may have written no console).
            for kept, name in (("serial.log", "serial-1.log"), ("bochs/stdout.txt", "bochs-stdout-1.txt")):
                if os.path.exists(os.path.join(share, kept)):
                    shutil.copy(os.path.join(share, kept), os.path.join(WORK, "failed-boots", f"{s['name']}-{name}"))
            ok, seconds, reason = boot(s, image, share, limit)
            total += seconds
            attempts = 2
        if ok:
            verdict = check.judge(s, share)
        else:
            verdict = check.Verdict(s["name"], [f"boot failed twice: {reason}"], [], {})
        verdict.seconds = total
        verdict.attempts = attempts
        verdict.known_defect = s.get("known_defect") if ok else None
        retries += len(verdict.info.get("guest_retries", []))
        results.append(verdict)
        log(verdict.render())
        emulator = emulator_version(machine_of(s))
        if args.capture and ok and s.get("capture"):
            check.keep_capture(s, share, ROOT, provenance_command(s, "initramfs.cpio.gz", "SHARE"), emulator)
        if args.texts and ok and s.get("texts"):
            check.keep_texts(s, share, ROOT, provenance_command(s, "initramfs.cpio.gz", "SHARE"), emulator)
    passed = sum(1 for r in results if r.passed and not r.known_defect)
    # A scenario that names a known defect still runs and prints every disagreement; it counts
    # as skipped while it disagrees, and as failed once it agrees, so the marker cannot go stale.
    known = sum(1 for r in results if r.known_defect and not r.passed)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump({"kernels": list(images), "retries": retries, "seconds": time.monotonic() - t0,
                   "scenarios": [r.summary() for r in results]}, f, indent=1)
    log(f"lab: {len(results)} scenarios in {time.monotonic() - t0:.0f} s, {retries} retries (boots and in-guest steps) "
        f"(details in .build-lab/results.json)")
    failed = len(results) - passed - known
    log(f"lab: {passed} passed, {failed} failed" + (f", {known} skipped" if known else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError) as error:
        # The lab itself broke (a missing package, a failed build step): still end with the line
        # CI's log reader looks for, and fail.
        print(f"lab: error: {error}", file=sys.stderr)
        print("lab: 0 passed, 1 failed", flush=True)
        sys.exit(1)
