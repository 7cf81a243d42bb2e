"""Holds what a lab machine did (TRUTH lines of its truth programs) against virtcheck's reports
from the same machine: generic agreements that apply wherever the truth was established, then
the scenario's own expectations from lab/scenarios.json. A disagreement fails the scenario; it
is a defect in virtcheck (or in the lab's truth), never something to relax."""
import json
import os
import shutil
import subprocess

GOOD_PASSTHROUGH = ("pass", "warn")
# The kernel's own decoding of the VMX capability MSRs (/proc/cpuinfo "vmx flags", from
# arch/x86/kernel/cpu/feat_ctl.c and arch/x86/include/asm/vmxfeatures.h) against virtcheck's
# (report cpu.vmx): the flag's name, and the path of the same capability in the report.
KERNEL_VMX_FLAGS = {
    "ept": "ept",
    "vpid": "vpid",
    "unrestricted_guest": "unrestricted_guest",
    "ept_ad": "ept_accessed_dirty",
    "ept_x_only": "ept_vpid_capabilities.execute_only",
    "ept_1gb": "ept_vpid_capabilities.pages1g",
    "ept_5level": "ept_5level",
    "ept_mode_based_exec": "mbec",
    "shadow_vmcs": "vmcs_shadowing",
    "pml": "pml",
    "tsc_scaling": "tsc_scaling",
    "preemption_timer": "preemption_timer",
    "posted_intr": "posted_interrupts",
    "vapic_reg": "apic_register_virtualization",
    "vid": "virtual_interrupt_delivery",
}


class Verdict:
    def __init__(self, name, failures, agreements, info):
        self.name = name
        self.failures = failures
        self.agreements = agreements
        self.info = info
        self.seconds = 0.0
        self.attempts = 1
        self.known_defect = None

    @property
    def passed(self):
        return not self.failures

    def render(self):
        if self.known_defect:
            state = "XPASS (agrees now: remove known_defect from lab/scenarios.json)" if self.passed else "KNOWN DEFECT"
        else:
            state = "PASS" if self.passed else "FAIL"
        head = (f"lab: {state} {self.name} ({self.seconds:.0f} s"
                f"{', after a retry' if self.attempts > 1 else ''}): {len(self.agreements)} checks agree"
                + (f", {len(self.failures)} do not" if self.failures else ""))
        lines = [head]
        if self.info.get("verdict"):
            lines.append(f"     virtcheck: {self.info['verdict']}")
        oncpu = self.info.get("verify_on_cpu")
        if oncpu:
            lines.append(f"     verify --on-cpu: exit {oncpu.get('exit')}, {oncpu.get('run', 0)} vectors run, {oncpu.get('agree', 0)} agree, "
                         f"{oncpu.get('disagree', 0)} disagree ({oncpu.get('unexplained', 0)} unexplained), {oncpu.get('not_expressible', 0)} not expressible as guest code")
            lines += [f"       on-cpu disagreement {name}: {what}" for name, what in oncpu.get("disagreements", {}).items()]
        lines += [f"     RETRY (in the guest): {r}" for r in self.info.get("guest_retries", [])]
        lines += [f"     DISAGREE: {f}" for f in self.failures]
        if self.known_defect and not self.passed:
            lines.append(f"     known defect (issue #{self.known_defect['issue']}): {self.known_defect['why']}")
        return "\n".join(lines)

    def summary(self):
        return {"name": self.name, "passed": self.passed, "known_defect": self.known_defect, "seconds": round(self.seconds, 1),
                "attempts": self.attempts, "failures": self.failures, "agreements": self.agreements, **self.info}


def read_truth(share):
    truth = {}
    path = os.path.join(share, "truth.txt")
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            if line.startswith("TRUTH ") and "=" in line:
                key, _, value = line[6:].strip().partition("=")
                truth[key] = value
    return truth


def load_report(share, label):
    path = os.path.join(share, f"check-{label}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def dig(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def profile(report, pid):
    return next((p["status"] for p in report["profiles"] if p["id"] == pid), None)


def finding(report, fid, subject=None):
    return next((f for f in report["findings"] if f["id"] == fid and f.get("subject") == subject), None)


def device(report, address):
    return next((d for d in report["pci"]["devices"] if d["address"] == address), None)


def judge(scenario, share):
    truth = read_truth(share)
    reports = {}
    for label in ("root", "lab", "guest"):
        r = load_report(share, label)
        if r is not None:
            reports[label] = r
    failures, agreements = [], []

    def expect(ok, what):
        (agreements if ok else failures).append(what)

    root = reports.get("root")
    if root is None and "root" in "".join(scenario["guest"]):
        failures.append("virtcheck wrote no JSON report as root")

    # Generic agreements: truth by doing against the verdict, wherever both exist.
    if root is not None:
        ran = truth.get("kvm_guest")
        if ran is not None:
            expect((ran == "ran") == (root["verdict"]["can_run_vms"] is True),
                   f"lab guest {ran}; virtcheck can_run_vms={root['verdict']['can_run_vms']}")
            run = root["kvm"].get("guest_run") or {}
            expect((ran == "ran") == (run.get("ok") is True), f"lab guest {ran}; virtcheck guest_run.ok={run.get('ok')}")
        if truth.get("kvm_open") == "ENOENT":
            expect(root["kvm"]["device"]["present"] is False, f"no /dev/kvm; virtcheck kvm.device.present={root['kvm']['device']['present']}")
        if "nested_guest" in truth:
            works = truth["nested_guest"] == "ran"
            expect((profile(root, "nested") == "pass") == works,
                   f"L2 VMRUN {truth.get('nested_vmrun', 'not run')} (exitcode {truth.get('nested_exitcode', '-')}); "
                   f"virtcheck profile nested={profile(root, 'nested')}")
        if truth.get("cpuinfo_vmx_flags"):
            flags = set(truth["cpuinfo_vmx_flags"].split(","))
            vmx = root["cpu"].get("vmx") or {}
            for flag, path in KERNEL_VMX_FLAGS.items():
                got = dig(vmx, path)
                expect(got is (flag in flags),
                       f"kernel's vmx flag {flag} {'present' if flag in flags else 'absent'}; virtcheck cpu.vmx.{path}={json.dumps(got)}")
        # The truth runs guest hypervisors in three paging modes, and so does virtcheck once its
        # 64-bit run completed (kvm.guest_run.legacy_mode_nested_runs): each 32-bit mode must
        # agree. Without virtcheck's 32-bit runs, a kvm.nested pass must say it did not run them.
        nested_finding = finding(root, "kvm.nested")
        runs32 = {r.get("l1"): r for r in (root["kvm"].get("guest_run") or {}).get("legacy_mode_nested_runs") or []}
        for mode, l1 in (("pae", "32-bit, PAE paging"), ("legacy", "32-bit, 2-level paging")):
            done = truth.get(f"nested_{mode}_guest")
            if done is None:
                continue
            r = runs32.get(l1)
            if r is not None:
                expect((done == "ran") == (r["ok"] is True),
                       f"L1 {l1}: lab's nested guest {done}; virtcheck's 32-bit nested run ok={r['ok']}" + (f" ({r['error']})" if r.get("error") else ""))
            elif done == "failed" and nested_finding is not None and nested_finding["status"] == "pass":
                expect("32-bit ones were not run" in nested_finding["summary"],
                       f"L1 {l1}: lab's nested guest failed; virtcheck ran no 32-bit L1 and its kvm.nested pass "
                       f"{'says so' if '32-bit ones were not run' in nested_finding['summary'] else 'does not say so'}")
        if "irq_remapping" in truth:
            expect((truth["irq_remapping"] == "on") == (root["iommu"]["interrupt_remapping"] is True),
                   f"kernel IRQ remapping {truth['irq_remapping']}; virtcheck interrupt_remapping={root['iommu']['interrupt_remapping']}")
        if "irq_remapping" in truth:
            f = finding(root, "iommu.interrupt-remapping")
            expect((truth["irq_remapping"] == "on") == (f is not None and f["status"] == "pass"),
                   f"kernel IRQ remapping {truth['irq_remapping']}; virtcheck finding iommu.interrupt-remapping={f and f['status']}")
        if "iommu_groups" in truth:
            n = int(truth["iommu_groups"])
            expect(len(root["iommu"]["groups"]) == n and (root["iommu"]["enabled"] is True) == (n > 0),
                   f"{n} IOMMU groups in sysfs; virtcheck groups={len(root['iommu']['groups'])} enabled={root['iommu']['enabled']}")
        for key, value in truth.items():
            if key.startswith("flr_"):
                d = device(root, key[4:])
                expect(d is not None and d["flr"] is (value == "done"),
                       f"FLR through sysfs on {key[4:]}: {value}; virtcheck flr={d and d['flr']}")
            if key.startswith("sriov_vfs_"):
                pf = key[len("sriov_vfs_"):]
                d = device(root, pf)
                vfs = [x for x in root["pci"]["devices"] if x.get("physical_function") == pf]
                has_cap = d is not None and d["capabilities"]["sriov"] is not None
                expect(has_cap and (int(value) == 0 or len(vfs) == int(value) or len(vfs) == 0 and "physical_function" not in (d or {})),
                       f"{value} VFs of {pf} through sriov_numvfs; virtcheck SR-IOV capability={'yes' if has_cap else 'no'}")
            if key.startswith("vfio_group_"):
                dev = key[len("vfio_group_"):]
                d = device(root, dev)
                status = d and d["passthrough"]["status"]
                opened = truth.get(f"vfio_{dev}_device_open", "").startswith("ok")
                how = "opened through VFIO" if opened else "not usable through VFIO (" + ", ".join(
                    f"{k[len('vfio_' + dev) + 1:]}={v}" for k, v in truth.items() if k.startswith(f"vfio_{dev}_")) + ")"
                expect(d is not None and opened == (status in GOOD_PASSTHROUGH),
                       f"{dev} bound to vfio-pci (group {value}) {how}; virtcheck passthrough={status}, driver={d and d['driver']}")
    # The --root tree the machine copied (copy_root) read by the host's virtcheck: its host.*
    # findings must match the live ones, which they do only where the tree carries the host files
    # and collected-paths.txt (else "not in the captured tree": unknown).
    tree = os.path.join(share, "root")
    binary = os.environ.get("LAB_VIRTCHECK")
    if root is not None and os.path.isdir(tree) and binary and os.path.exists(binary):
        run = subprocess.run([binary, "check", "--root", tree, "--format", "json"], capture_output=True, text=True, timeout=120)
        try:
            from_tree = {f["id"]: f["status"] for f in json.loads(run.stdout)["findings"] if f["id"].startswith("host.")}
            live = {f["id"]: f["status"] for f in root["findings"] if f["id"].startswith("host.")}
            differ = {k: (v, from_tree.get(k)) for k, v in live.items() if from_tree.get(k) != v}
            expect(not differ, f"--root tree host.* findings as live ({len(live)})" + (f"; differ (live, tree): {differ}" if differ else ""))
        except (ValueError, KeyError) as error:
            failures.append(f"check --root of the copied tree wrote no report (exit {run.returncode}: {error})")
    for user in ("lab", "guest"):
        r = reports.get(user)
        ran = truth.get(f"{user}_kvm_guest")
        if r is not None and ran is not None:
            expect((ran == "ran") == (r["verdict"]["can_run_vms"] is True),
                   f"as {user}: lab guest {ran}; virtcheck can_run_vms={r['verdict']['can_run_vms']}")
        if r is not None and truth.get(f"{user}_kvm_open") == "EACCES":
            expect(r["kvm"]["device"]["accessible"] is False and r["verdict"]["can_run_vms"] is not True,
                   f"as {user}: /dev/kvm EACCES; virtcheck accessible={r['kvm']['device']['accessible']} can_run_vms={r['verdict']['can_run_vms']}")

    # The scenario's own expectations.
    for e in scenario.get("expect", []):
        label = e.get("report", "root")
        r = reports.get(label)
        if "truth" in e:
            got = truth.get(e["truth"])
            if "starts" in e:
                expect(got is not None and got.startswith(e["starts"]), f"truth {e['truth']}={got}, expected {e['starts']}...")
            else:
                expect(got == e["is"], f"truth {e['truth']}={got}, expected {e['is']}")
            continue
        if "file" in e:
            path = os.path.join(share, e["file"])
            got = open(path).read().strip() if os.path.exists(path) else None
            expect(got == e["is"], f"{e['file']}={got}, expected {e['is']}")
            continue
        if r is None:
            failures.append(f"no report {label} for {e}")
            continue
        if "exit" in e:
            rc = open(os.path.join(share, f"check-{label}.rc")).read().strip()
            expect(rc == str(e["exit"]), f"{label}: exit {rc}, expected {e['exit']}")
        elif "path" in e:
            got = dig(r, e["path"])
            expect(got == e["is"], f"{label}: {e['path']}={json.dumps(got)}, expected {json.dumps(e['is'])}")
        elif "profile" in e:
            got = profile(r, e["profile"])
            expect(got == e["is"], f"{label}: profile {e['profile']}={got}, expected {e['is']}")
        elif "finding" in e:
            f = finding(r, e["finding"], e.get("subject"))
            got = f and f["status"]
            ok = got == e["is"]
            text = f and ((f.get("summary") or "") + " " + (f.get("remediation") or ""))
            if ok and "mentions" in e:
                ok = e["mentions"] in (text or "")
            expect(ok, f"{label}: finding {e['finding']}{'@' + e['subject'] if e.get('subject') else ''}={got}"
                       + (f" mentioning '{e['mentions']}'" if "mentions" in e else "") + f", expected {e['is']}"
                       + ("" if ok else f" (text: {text})"))
        else:
            failures.append(f"unreadable expectation {e}")

    info = {"truth": truth}
    retries = os.path.join(share, "retries.txt")
    info["guest_retries"] = open(retries).read().splitlines() if os.path.exists(retries) else []
    if root is not None:
        passing = [p["id"] for p in root["profiles"] if p["status"] == "pass"]
        info["verdict"] = (f"can_run_vms={root['verdict']['can_run_vms']} acceleration={root['verdict']['acceleration']} "
                           f"backend={root['kvm'].get('backend')}; profiles passing: {', '.join(passing) or 'none'}")
        info["profiles"] = {p["id"]: p["status"] for p in root["profiles"]}
    verify = os.path.join(share, "verify-against-kvm.json")
    if os.path.exists(verify):
        summary = summarize_verify(verify, os.path.join(share, "verify-against-kvm.rc"))
        info["verify_against_kvm"] = summary
        explained = scenario.get("verify_explained", {}) if summary.get("programs") else {}
        if not summary.get("programs"):
            failures.append(f"verify --against-kvm did not complete (exit {summary.get('exit')}: {summary.get('error', 'no results')})")
        for program in summary.get("disagree", []):
            expect(program in explained, f"verify --against-kvm: {program} disagrees"
                   + (f": explained by the emulated CPU: {explained[program]}" if program in explained else " and nothing explains it"))
        for program in explained:
            if program not in summary.get("disagree", []):
                failures.append(f"verify --against-kvm: {program} is listed as an explained deviation but agrees (stale entry)")
        unexplained_by_virtcheck = summary.get("unexplained", 0) > 0
        if summary.get("programs"):
                expect(summary.get("exit") == ("1" if unexplained_by_virtcheck else "0"),
                   f"verify --against-kvm exit {summary.get('exit')} with {summary.get('unexplained')} disagreements virtcheck leaves unexplained")
    oncpu = os.path.join(share, "verify-on-cpu.json")
    if os.path.exists(oncpu):
        summary = summarize_on_cpu(oncpu, os.path.join(share, "verify-on-cpu.rc"))
        info["verify_on_cpu"] = summary
        text = os.path.join(share, "verify-on-cpu.txt")
        if os.path.exists(text):
            info["verify_on_cpu_text"] = open(text, errors="replace").read()[-4000:]
        # A crash, a run that never started, or zero vectors run is a failure; disagreements are
        # findings about the L0 hypervisor (exit 1) and are listed, not failed.
        expect(summary.get("exit") in ("0", "1") and summary.get("run", 0) > 0,
               f"verify --on-cpu exit {summary.get('exit')}: {summary.get('run', 0)} vectors run, {summary.get('agree', 0)} agree, "
               f"{summary.get('disagree', 0)} disagree, {summary.get('not_expressible', 0)} not expressible"
               + (f" ({summary['error']})" if summary.get("error") else ""))
        if summary.get("run", 0) > 0:
            expect(summary.get("exit") == ("1" if summary.get("unexplained") else "0"),
                   f"verify --on-cpu exit {summary.get('exit')} with {summary.get('unexplained')} unexplained disagreements")
        # The count docs/lab.md accounts for: a new unexplained disagreement (a harness or model
        # regression, or a changed L0) fails the scenario instead of passing as "a finding".
        if "on_cpu_unexplained" in scenario:
            expect(summary.get("unexplained") == scenario["on_cpu_unexplained"],
                   f"verify --on-cpu: {summary.get('unexplained')} unexplained disagreements, docs/lab.md accounts for "
                   f"{scenario['on_cpu_unexplained']}")
    return Verdict(scenario["name"], failures, agreements, info)


def summarize_verify(path, rc_path):
    rc = open(rc_path).read().strip() if os.path.exists(rc_path) else None
    err = path[:-len(".json")] + ".err"
    stderr = open(err).read().strip() if os.path.exists(err) else ""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        return {"exit": rc, "error": stderr or str(error)}
    if not data:
        return {"exit": rc, "error": stderr or "no output"}
    # `verify --against-kvm --format json` wraps its results: {schema_version, tool, verification, differential}.
    results = data if isinstance(data, list) else (data.get("differential") or {}).get("results", [])
    disagree = [r["program"] for r in results if not r.get("agrees")]
    unexplained = [r["program"] for r in results if not r.get("agrees") and not (r.get("knownDeviation") or r.get("known_deviation"))]
    return {"exit": rc, "programs": len(results), "agree": len(results) - len(disagree), "disagree": disagree,
            "unexplained": len(unexplained),
            "mismatches": {r["program"]: r.get("mismatches") for r in results if not r.get("agrees")}}


def summarize_on_cpu(path, rc_path):
    rc = open(rc_path).read().strip() if os.path.exists(rc_path) else None
    err = path[:-len(".json")] + ".err"
    stderr = open(err).read().strip() if os.path.exists(err) else ""
    try:
        with open(path) as f:
            data = json.load(f).get("on_cpu") or {}
    except (OSError, ValueError, AttributeError) as error:
        return {"exit": rc, "run": 0, "error": stderr or str(error)}
    return {"exit": rc, "run": data.get("run", 0), "agree": data.get("agree", 0), "disagree": data.get("disagree", 0),
            "unexplained": data.get("unexplained", 0),
            "not_expressible": len(data.get("not_expressible", [])), "error": stderr or None,
            "disagreements": {r["vector"]: f"model {r['model']}, guest {r['observed']} ({r['detail']})"
                              + (f"; known: {r['known_deviation']}" if r.get("known_deviation") else "; unexplained")
                              for r in data.get("results", []) if not r.get("agrees")}}


def keep_capture(scenario, share, repo, command, emulator):
    """Copies a lab machine's snapshot to Data/hosts/NAME.json and its --root tree to
    Tests/HostProbeTests/Fixtures/roots/NAME/, with provenance beside them."""
    name = scenario["capture"]
    kernel = open(os.path.join(share, "root/proc/sys/kernel/osrelease")).read().strip()
    shutil.copy(os.path.join(share, "capture.json"), os.path.join(repo, "Data/hosts", name + ".json"))
    dst = os.path.join(repo, "Tests/HostProbeTests/Fixtures/roots", name)
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(share, "root"), dst, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(dst):
        if not dirnames and not filenames:
            open(os.path.join(dirpath, ".keep"), "w").close()
    provenance = (f"# {name}: a lab machine (real Linux under {emulator_name(scenario)}), captured by `scripts/lab --capture {scenario['name']}`\n\n"
                  f"{scenario['title']}.\n\n"
                  f"- {emulator_line(scenario, emulator)}\n- Guest kernel: Debian linux-image-{kernel} (uname -r {kernel})\n"
                  f"- Command line: `{command}`\n"
                  f"- Guest steps (lab/scenarios.json): `{'; '.join(scenario['guest'])}`\n\n"
                  "Every file is what the guest kernel gave (copied by `copy_root` in lab/guest/lib.sh); nothing is\n"
                  "hand-written. Symlinks keep the kernel's targets; virtcheck reads only their last component.\n"
                  "`cpuid-r.txt` is the guest's CPUID (lab/truth/cpuiddump.c). The snapshot of the same machine\n"
                  f"is Data/hosts/{name}.json.\n")
    with open(os.path.join(dst, "README.md"), "w") as f:
        f.write(provenance)
    with open(os.path.join(repo, "Data/hosts", name + ".provenance.md"), "w") as f:
        f.write(provenance.replace(f"The snapshot of the same machine\nis Data/hosts/{name}.json.",
                                   f"Its --root tree is\nTests/HostProbeTests/Fixtures/roots/{name}/."))


TEXTS = {"lspci-vvv.txt": "`lspci -vvv` as root (Debian pciutils, after the truth steps)",
         "lspci-xxxx.txt": "`lspci -xxxx` as root (Debian pciutils, after the truth steps)",
         "dmesg.txt": "`dmesg` at the end of the scenario script (lab/guest/init)"}


def emulator_name(scenario):
    return "Bochs" if scenario.get("machine") == "bochs" else "QEMU"


def emulator_line(scenario, emulator):
    return f"Bochs: {emulator}" if scenario.get("machine") == "bochs" else f"QEMU: {emulator}, TCG"


def keep_texts(scenario, share, repo, command, emulator):
    """Copies a lab machine's `lspci -vvv`, `lspci -xxxx` and dmesg to Data/hosts/NAME/, with
    provenance: the text inputs users paste, from a real kernel on known hardware."""
    name = scenario["texts"]
    dst = os.path.join(repo, "Data/hosts", name)
    os.makedirs(dst, exist_ok=True)
    for f in TEXTS:
        rc = os.path.join(share, f[:-len(".txt")] + ".rc")
        if os.path.exists(rc) and open(rc).read().strip() != "0":
            raise ValueError(f"{scenario['name']}: {f} exited {open(rc).read().strip()}")
        shutil.copy(os.path.join(share, f), os.path.join(dst, f))
    kernel = next((l.split("Linux version ", 1)[1].split()[0] for l in open(os.path.join(share, "dmesg.txt"), errors="replace")
                   if "Linux version " in l), "unknown")
    pciutils = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "pciutils"], capture_output=True, text=True).stdout
    listing = "".join(f"- `{f}`: {what}\n" for f, what in TEXTS.items())
    with open(os.path.join(dst, "README.md"), "w") as f:
        f.write(f"# {name}: text captures of a lab machine (real Linux under {emulator_name(scenario)})\n\n"
                f"{scenario['title']}.\nMade by `scripts/lab --texts {scenario['name']}` (lab/scenarios.json).\n\n"
                f"{listing}\n"
                f"- {emulator_line(scenario, emulator)}\n- Guest kernel: Debian linux-image-{kernel} (uname -r {kernel})\n"
                f"- lspci: pciutils {pciutils} from this machine's Debian package, with its libraries and pci.ids\n"
                f"- Command line: `{command}`\n"
                f"- Guest steps: `{'; '.join(scenario['guest'])}`\n\n"
                "Nothing is edited: every file is the guest's own output.\n")
