#!/usr/bin/env python3
"""Writes the report test fixtures in this directory from the snapshot of the workplace host
(Data/hosts/workplace-amd-epyc-kvm-pvm.json): its CPUID tables are edited into other CPUs, and
guest runs, modules and hostile strings are added by hand. Run it again only to change a fixture;
the tests read the committed output."""
import copy, json, os, struct

here = os.path.dirname(os.path.abspath(__file__))
base = json.load(open(os.path.join(here, "../../../Data/hosts/workplace-amd-epyc-kvm-pvm.json")))

def hx(v): return "0x%08x" % v

def regs(text):
    """48 bytes of text as 12 little-endian registers (CPUID brand-string order)."""
    raw = text.encode().ljust(48, b"\0")[:48]
    return struct.unpack("<12I", raw)

def set_leaf(table, leaf, eax=None, ebx=None, ecx=None, edx=None):
    for l in table["leaves"]:
        if int(l["leaf"], 16) == leaf and int(l["subleaf"], 16) == 0:
            for k, v in (("eax", eax), ("ebx", ebx), ("ecx", ecx), ("edx", edx)):
                if v is not None: l[k] = hx(v)
            return l
    l = {"leaf": hx(leaf), "subleaf": hx(0), "eax": hx(eax or 0), "ebx": hx(ebx or 0), "ecx": hx(ecx or 0), "edx": hx(edx or 0)}
    table["leaves"].append(l)
    return l

def get(table, leaf, reg):
    return next(int(l[reg], 16) for l in table["leaves"] if int(l["leaf"], 16) == leaf and int(l["subleaf"], 16) == 0)

def brand(table, text):
    r = regs(text)
    for i, leaf in enumerate((0x80000002, 0x80000003, 0x80000004)):
        set_leaf(table, leaf, *r[i * 4:i * 4 + 4])

def snapshot(cpu0, modules, guest_run, release, cpuinfo=None, supported=None):
    s = copy.deepcopy(base)
    s["source"] = {"kind": "live", "paths": []}
    s["host"] = {"captured_at": "2026-11-25T10:00:00Z", "online_cpus": list(range(8)), "root": True}
    s["cpuid"]["cpus"] = [cpu0]
    s.pop("cpuinfo", None)
    if cpuinfo: s["cpuinfo"] = {"source": "/proc/cpuinfo", "status": "ok", "text": cpuinfo}
    s["kernel"]["release"] = release
    s["kernel"]["modules"] = modules
    s["kernel"]["loaded_modules"] = ["kvm"] + [m["name"] for m in modules]
    s["kvm"] = {"device": {"path": "/dev/kvm", "present": True, "accessible": True, "mode": "660", "owner_uid": 0, "group_gid": 108},
                "api_version": 12,
                "capabilities": [{"name": "user_memory", "number": 3, "value": 1}, {"name": "nested_state", "number": 157, "value": 8192},
                                 {"name": "nr_vcpus", "number": 9, "value": 255}],
                "guest_run": guest_run}
    if supported: s["kvm"]["supported_cpuid"] = supported
    s["msrs"] = {"source": "/dev/cpu/N/msr", "cpus": []}
    return s

def run(ok=True, error=None, timed_out=False, user=(2140, 1910, 2680, 200), kern=(610, 580, 700, 1000)):
    exits = [{"reason": "io", "code": 2, "port": 0x3f8, "size": 1, "direction": "out", "value": 0x2a}, {"reason": "hlt", "code": 5}]
    runs = [{"mode": "real", "ok": ok, "expected": 42, "observed": 42 if ok else None, "exits": exits},
            {"mode": "long64", "ok": ok, "expected": 0x1122334455667788, "observed": 0x1122334455667788 if ok else None,
             "exits": exits if ok else [{"reason": "fail_entry", "code": 9, "detail": error or "entry failed"}]}]
    lat = {"userspace": dict(zip(("median", "p10", "p90", "samples"), user)),
           "in_kernel": dict(zip(("median", "p10", "p90", "samples"), kern))} if ok else None
    return {"ok": ok, "runs": runs, "exit_latency_ns": lat, "timed_out": timed_out, "error": error}

def write(name, obj):
    with open(os.path.join(here, name), "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")

# Intel Xeon (Ice Lake SP) on bare metal: VT-x, kvm_intel, nested on, a guest that ran.
intel = copy.deepcopy(base["cpuid"]["cpus"][0])
intel["leaves"] = [l for l in intel["leaves"] if not 0x40000000 <= int(l["leaf"], 16) < 0x50000000]
set_leaf(intel, 0, ebx=0x756e6547, edx=0x49656e69, ecx=0x6c65746e)
set_leaf(intel, 1, eax=0x000606A6, ecx=(get(intel, 1, "ecx") | (1 << 5)) & ~(1 << 31))
brand(intel, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz")
vmxflags = "vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple shadow_vmcs pml ept_mode_based_exec tsc_scaling"
intel_cpuinfo = "".join(
    f"processor\t: {n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n"
    f"stepping\t: 6\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov vmx smx est ept vpid umip\nvmx flags\t: {vmxflags}\n\n"
    for n in range(8))
supported = [{"leaf": hx(1), "subleaf": hx(0), "eax": hx(0x000606A6), "ebx": hx(0), "ecx": hx(1 << 5), "edx": hx(0)}]
write("intel-vtx.snapshot.json", snapshot(intel, [{"name": "kvm_intel", "parameters": [{"name": "nested", "value": "Y", "status": "ok"}]}],
                                          run(), "6.8.0-49-generic", intel_cpuinfo, supported))
with open(os.path.join(here, "intel-xeon.cpuinfo"), "w") as f:
    f.write(intel_cpuinfo)
with open(os.path.join(here, "intel-xeon.msr"), "w") as f:
    f.write("# rdmsr on CPU 0 of an Ice Lake SP host, firmware-locked with VMX outside SMX\n0x3a 0x5\n0x480 0x00da050000000004\n0x48b denied\n")

# AMD EPYC with SVM exposed and kvm_amd loaded, but the long-mode guest failed to enter.
amd = copy.deepcopy(base["cpuid"]["cpus"][0])
set_leaf(amd, 0x80000001, ecx=get(amd, 0x80000001, "ecx") | (1 << 2))
set_leaf(amd, 0x8000000A, eax=1, ebx=32768, edx=0x0001BCFF)
write("amd-svm-guest-failed.snapshot.json", snapshot(amd, [{"name": "kvm_amd", "parameters": [{"name": "nested", "value": "0", "status": "ok"}]}],
                                                     run(ok=False, error="KVM_RUN: VMRUN failed (exit_reason 0xffffffff)"), "6.1.0-27-amd64"))

# Hostile strings everywhere a snapshot can put text: markup, control characters, huge lengths.
evil = copy.deepcopy(intel)
brand(evil, "<script>alert(1)</script>")
hostile_run = run(ok=False, error="<img src=x onerror=alert(2)>\u001b[31m\"quoted\" & 'single'\r\nsecond line\u0000" + "A" * 5000)
write("hostile.snapshot.json", snapshot(evil, [{"name": "kvm_intel\"><b>x</b>", "parameters": [{"name": "nested", "value": "</td><script>alert(3)</script>", "status": "ok"}]}],
                                        hostile_run, "6.8.0<iframe src=//evil>\u001b]0;title\u0007" + "B" * 3000))
