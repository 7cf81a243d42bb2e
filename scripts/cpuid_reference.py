#!/usr/bin/env python3
"""The independent reference for virtcheck's CPUID decoder: what `cpuid -f FILE` (Todd Allen's
cpuid, Debian package `cpuid`) says about a `cpuid -r` dump, reduced to the report's JSON paths.

Used two ways:
  - imported by compare_cpuid.py, which holds virtcheck's JSON against it dump by dump;
  - run as a script, it writes the reference table the Swift tests read
    (Tests/AnalysisTests/Fixtures/cpuid-reference.tsv), so the tests need no `cpuid` binary:
        scripts/cpuid_reference.py Data/corpus/cpuid-r > Tests/AnalysisTests/Fixtures/cpuid-reference.tsv

Every value comes from cpuid's own text, never from decoding the registers here: a decoder
checked against a second copy of itself proves nothing.
"""
import os
import re
import subprocess
import sys

# (report key, section-header fragments, line labels). A key is true when a line with one of the
# labels says `= true` inside a section whose header contains one of the fragments. cpuid prints
# some leaves per vendor (0x80000001:EDX for Intel names NX "execution disable" and LM "64-bit
# extensions technology available", for VIA/Zhaoxin "AA-64"), hence several labels. Where cpuid
# prints no such line the value is None and nothing is compared: the leaf is out of range, or
# cpuid does not decode that bit for this vendor (its VIA table of 0x80000001:EDX has no NX,
# 1-GB pages or RDTSCP; it prints no SVM/SKINIT for Intel and VIA, and no 0x80000001 at all for
# vendors it does not know, such as "  Shanghai  " or "Virtual CPU ").
FEATURES = [
    ("vmx", ["(1/ecx)"], ["VMX: virtual machine extensions"]),
    ("smx", ["(1/ecx)"], ["SMX: safer mode extensions"]),
    ("pcid", ["(1/ecx)"], ["PCID: process context identifiers"]),
    ("x2apic", ["(1/ecx)"], ["x2APIC: extended xAPIC support"]),
    ("tsc_deadline", ["(1/ecx)"], ["time stamp counter deadline"]),
    ("xsave", ["(1/ecx)"], ["XSAVE/XSTOR states"]),
    ("hypervisor", ["(1/ecx)"], ["hypervisor guest status"]),
    ("sgx", ["(7)"], ["SGX: Software Guard Extensions supported"]),
    ("smep", ["(7)"], ["SMEP supervisor mode exec protection"]),
    ("invpcid", ["(7)"], ["INVPCID instruction"]),
    ("smap", ["(7)"], ["SMAP: supervisor mode access prevention"]),
    ("umip", ["(7)"], ["UMIP: user-mode instruction prevention"]),
    ("tme", ["(7)"], ["TME: Total Memory Encryption"]),
    ("la57", ["(7)"], ["LA57: 57-bit addrs & 5-level paging"]),
    ("sgx_lc", ["(7)"], ["SGX_LC: SGX launch config supported"]),
    ("pconfig", ["(7)"], ["PCONFIG instruction"]),
    ("svm", ["(0x80000001/ecx)"], ["SVM: secure virtual machine"]),
    ("skinit", ["(0x80000001/ecx)"], ["SKINIT/STGI support"]),
    ("nx", ["(0x80000001/edx)"], ["no-execute page protection", "execution disable"]),
    ("pdpe1gb", ["(0x80000001/edx)"], ["1-GB large page support"]),
    ("rdtscp", ["(0x80000001/edx)"], ["RDTSCP"]),
    ("lm", ["(0x80000001/edx)"], ["long mode (AA-64)", "64-bit extensions technology available", "AA-64"]),
    ("invariant_tsc", ["(0x80000007/edx)"], ["TscInvariant"]),
]

# CPUID 0x8000000A:EDX as cpuid 20230120 prints it (it prints neither bit 8 nor bits 27, 29-31).
SVM_BITS = [
    ("nested_paging", "nested paging"),
    ("lbr_virt", "LBR virtualization"),
    ("svm_lock", "SVM lock"),
    ("nrip_save", "NRIP save"),
    ("tsc_rate_msr", "MSR based TSC rate control"),
    ("vmcb_clean", "VMCB clean bits support"),
    ("flush_by_asid", "flush by ASID"),
    ("decode_assists", "decode assists"),
    ("pause_filter", "pause intercept filter"),
    ("pause_filter_threshold", "pause filter threshold"),
    ("avic", "AVIC: AMD virtual interrupt controller"),
    ("vmsave_virt", "virtualized VMLOAD/VMSAVE"),
    ("vgif", "virtualized global interrupt flag (GIF)"),
    ("gmet", "GMET: guest mode execute trap"),
    ("x2avic", "X2AVIC: virtualized X2APIC"),
    ("sss_check", "supervisor shadow stack"),
    ("spec_ctrl", "guest Spec_ctl support"),
    ("rogpt", "ROGPT: read-only guest page table"),
    ("host_mce_override", "host MCE override"),
    ("tlbi_ctl", "INVLPGB/TLBSYNC hyperv interc enable"),
    ("vnmi", "VNMI: NMI virtualization"),
    ("ibs_virt", "IBS virtualization"),
    ("vmcb_addr_check", "guest SVME addr check"),
]

# CPUID 0x8000001F as cpuid prints it.
SEV_BITS = [
    ("sme", "SME: secure memory encryption support"),
    ("sev", "SEV: secure encrypted virtualize support"),
    ("vm_page_flush", "VM page flush MSR support"),
    ("sev_es", "SEV-ES: SEV encrypted state support"),
    ("sev_snp", "SEV-SNP: SEV secure nested paging"),
    ("vmpl", "VMPL: VM permission levels"),
    ("secure_tsc", "Secure TSC supported"),
    ("sme_coherent", "hardware cache coher across enc domains"),
    ("debug_swap", "full debug state swap for SEV-ES guests"),
]
SEV_NUMBERS = [
    ("cbit_position", "encryption bit position in PTE"),
    ("phys_addr_reduction", "physical address space width reduction"),
    ("encrypted_guests", "number of SEV-enabled guests supported"),
    ("min_sev_asid", "minimum SEV guest ASID"),
]

# Column order of the reference table; svm.* and sev.* are empty when cpuid printed no such leaf.
# cpuid_status is `ok`, or how cpuid ended when it crashed part-way (the values are then partial).
COLUMNS = (
    ["file", "cpuid_status", "host.vendor", "host.family", "host.model", "host.stepping", "host.brand", "host.hypervisor.signature"]
    + ["cpu.features." + k for k, _, _ in FEATURES]
    + ["cpu.svm.revision", "cpu.svm.nasid"] + ["cpu.svm." + k for k, _ in SVM_BITS]
    + ["cpu.sev." + k for k, _ in SEV_BITS] + ["cpu.sev." + k for k, _ in SEV_NUMBERS]
)

LINE = re.compile(r"^\s+(.*?)\s+= (.*)$")
NUMBER = re.compile(r"^0x[0-9a-fA-F]+ \((\d+)\)")


def run_cpuid(path):
    """cpuid's text for CPU 0 of the dump (cpuid prints one `CPU N:` block per CPU) and its exit
    status. cpuid 20230120 dies of SIGFPE on some dumps whose out-of-range leaves were kept (an
    all-zero leaf 4); what it printed before that is still its opinion, so it is kept."""
    out = subprocess.run(["cpuid", "-f", path], capture_output=True, text=True, errors="replace")
    lines = out.stdout.splitlines()
    if out.returncode != 0 and not lines:
        raise RuntimeError(f"cpuid -f {path}: rc={out.returncode} {out.stderr.strip()[:200]}")
    status = "ok" if out.returncode == 0 else (
        f"killed by signal {-out.returncode}" if out.returncode < 0 else f"exit {out.returncode}")
    blocks = [i for i, l in enumerate(lines) if re.match(r"^CPU( \d+)?:$", l)]
    if len(blocks) > 1:
        lines = lines[: blocks[1]]
    return lines, status


def unescape(text):
    """cpuid prints NUL bytes of a signature as `\\0`."""
    return text.replace("\\0", "\0")


def extract(path):
    """The reference values of one dump, keyed by report path; missing leaves give None."""
    ref = {c: None for c in COLUMNS}
    section = ""
    feature_labels = {}
    for key, sections, labels in FEATURES:
        for label in labels:
            feature_labels.setdefault(label, []).append((key, sections))
    svm_labels = dict((label, key) for key, label in SVM_BITS)
    sev_labels = dict((label, key) for key, label in SEV_BITS)
    sev_numbers = dict((label, key) for key, label in SEV_NUMBERS)
    seen = set()  # cpuid repeats some sections (the 0x80000001 signature); the first one counts
    lines, ref["cpuid_status"] = run_cpuid(path)
    for line in lines:
        if re.match(r"^   [^ =][^=]*:$", line):
            section = line.strip()
            continue
        if line.startswith("   ") and not line.startswith("    "):
            section = ""  # a top-level `name = value` line closes the section
        m = LINE.match(line)
        if not m:
            continue
        label, value = m.group(1).strip(), m.group(2).strip()
        if label == "vendor_id" and ref["host.vendor"] is None:
            ref["host.vendor"] = unescape(value.strip('"')).rstrip("\0")
        elif label == "brand" and section == "" and ref["host.brand"] is None:
            ref["host.brand"] = value[1:-1].strip(" ") or None  # cpuid prints an empty brand as ""
        elif label.startswith("hypervisor_id (0x40000000)"):
            ref["host.hypervisor.signature"] = unescape(value[1:-1]).rstrip("\0")
        elif section.startswith("version information (1/eax)") and ("version", label) not in seen:
            seen.add(("version", label))
            n = NUMBER.match(value)
            if label == "(family synth)" and n:
                ref["host.family"] = int(n.group(1))
            elif label == "(model synth)" and n:
                ref["host.model"] = int(n.group(1))
            elif label == "stepping id" and n:
                ref["host.stepping"] = int(n.group(1))
        elif label in feature_labels and value in ("true", "false"):
            for key, sections in feature_labels[label]:
                if any(s in section for s in sections) and not ref["cpu.features." + key]:
                    ref["cpu.features." + key] = value == "true"
        elif "(0x8000000a/" in section:
            if label.startswith("SvmRev"):
                ref["cpu.svm.revision"] = int(NUMBER.match(value).group(1))
            elif label in svm_labels:
                ref["cpu.svm." + svm_labels[label]] = value == "true"
        elif label.startswith("NASID"):
            ref["cpu.svm.nasid"] = int(NUMBER.match(value.rstrip(":")).group(1))
        elif "(0x8000001f)" in section:
            if label in sev_labels:
                ref["cpu.sev." + sev_labels[label]] = value == "true"
            elif label in sev_numbers:
                ref["cpu.sev." + sev_numbers[label]] = int(NUMBER.match(value).group(1))
    return ref


def format_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).replace("\0", "\\0").replace("\t", "\\t")


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.exit("usage: cpuid_reference.py DUMP_DIR  (writes the reference TSV to stdout)")
    root = argv[1]
    files = sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, fs in os.walk(root) for f in fs if f.endswith(".cpuid-r.txt")
    )
    version = subprocess.run(["cpuid", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# Reference values from `{version} -f FILE` for every dump under Data/corpus/cpuid-r,")
    print("# written by scripts/cpuid_reference.py (do not edit by hand). Empty cell: cpuid printed no")
    print("# such value (leaf out of range, or a bit cpuid does not decode for this vendor); svm.revision")
    print("# and svm.nasid read as 0 then. Booleans: true/false. NUL bytes in signatures: \\0.")
    print("\t".join(COLUMNS))
    for rel in files:
        ref = extract(os.path.join(root, rel))
        ref["file"] = rel
        print("\t".join(format_value(ref[c]) for c in COLUMNS))


if __name__ == "__main__":
    main(sys.argv)
