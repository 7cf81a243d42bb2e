#!/usr/bin/env python3
"""Reads one `check` run's outputs with their real consumers and compares each with the JSON
report and the exit code. Usage: compare_outputs.py EXIT REPORT.json JUNIT.xml METRICS.prom FEATURES.nfd [EXIT ...]
(any number of runs, five arguments each)
- JUnit: junitparser. A finding's testcase is a failure exactly when the gate requires it
  (a policy rule, or a host-wide finding in the failed/unknown list of a required profile) and
  its status fails the gate (fail; unknown when strict); a fail nothing requires is skipped with
  its status in the message. The file holds a failure exactly when the exit code is 1.
- Prometheus: prometheus_client's text parser (the Prometheus project's Python client).
- NFD: the local source's file format (`# ` comments, `name=value` lines), Kubernetes label syntax.
Prints one line per disagreement; exits 1 if there is any."""
import json, re, sys
from junitparser import JUnitXml, Failure, Skipped, Error
from prometheus_client.parser import text_string_to_metric_families

def compare(exit_code, report, junit_path, prom_path, nfd_path):
    problems = []

    def key(identifier, subject):
        return f"{identifier} [{subject}]" if subject is not None else identifier

    findings = {key(f["id"], f["subject"]): f["status"] for f in report["findings"]}
    profiles = {p["id"]: p for p in report["profiles"]}
    gate = report["gate"]
    if gate["exit_code"] != exit_code:
        problems.append(f"JSON gate.exit_code {gate['exit_code']} but the run exited {exit_code}")

    def fails_gate(status):
        return status == "fail" or (status == "unknown" and gate["strict"])

    def required_finding(f):
        if f["id"] in gate["required_rules"]:
            return True
        return f["subject"] is None and any(
            p["id"] in gate["required_profiles"] and (f["id"] in p["failed"] or f["id"] in p["unknown"]) for p in report["profiles"])

    # JUnit
    xml = JUnitXml.fromfile(junit_path)
    def result(case):
        for r in case.result:
            if isinstance(r, Failure): return "failure", r.message or ""
            if isinstance(r, Skipped): return "skipped", r.message or ""
            if isinstance(r, Error): return "error", r.message or ""
        return "passed", ""
    failures = 0
    for suite in xml:
        for case in suite:
            kind, message = result(case)
            failures += kind == "failure"
            if suite.name == "findings":
                f = next((f for f in report["findings"] if key(f["id"], f["subject"]) == case.name), None)
                if f is None:
                    problems.append(f"JUnit testcase {case.name!r} is no finding of the JSON"); continue
                status = f["status"]
                if required_finding(f) and fails_gate(status): expected = "failure"
                elif status in ("fail", "unknown", "not-applicable"): expected = "skipped"
                else: expected = "passed"
                if kind != expected:
                    problems.append(f"JUnit {case.name}: {kind}, JSON status {status} (required: {required_finding(f)}) wants {expected}")
                if kind == "skipped" and status == "fail" and not message.startswith("not required: fail: "):
                    problems.append(f"JUnit {case.name}: skipped fail does not say so: {message!r}")
            elif case.name.startswith("profile ") and not case.name.endswith("(CPU side)"):
                p = profiles.get(case.name[len("profile "):])
                if p is None:
                    problems.append(f"JUnit suite {suite.name}: no such profile in the JSON"); continue
                expected = "failure" if p["id"] in gate["required_profiles"] and fails_gate(p["status"]) else \
                    "skipped" if p["status"] in ("fail", "unknown") else "passed"
                if kind != expected:
                    problems.append(f"JUnit profile {p['id']}: {kind}, JSON status {p['status']} wants {expected}")
            elif kind == "failure" and suite.name[len("profile "):] not in gate["required_profiles"]:
                problems.append(f"JUnit {suite.name} / {case.name}: a failure in a profile nobody required")
    if (failures > 0) != (exit_code == 1):
        problems.append(f"JUnit holds {failures} failures but the run exited {exit_code}")
    if xml.failures != failures:
        problems.append(f"JUnit testsuites failures={xml.failures} but {failures} testcases failed")

    # Prometheus
    prom_findings, prom_profiles, prom_cpu, can, accel, gate_code = {}, {}, {}, None, None, None
    for family in text_string_to_metric_families(open(prom_path).read()):
        for s in family.samples:
            if s.name == "virtcheck_gate_exit_code": gate_code = s.value
            if s.value != 1: continue
            l = s.labels
            if s.name == "virtcheck_finding_status": prom_findings[key(l["id"], l["subject"] or None)] = l["status"]
            elif s.name == "virtcheck_profile_status": prom_profiles[l["profile"]] = l["status"]
            elif s.name == "virtcheck_profile_cpu_status": prom_cpu[l["profile"]] = l["status"]
            elif s.name == "virtcheck_can_run_vms": can = l["state"]
            elif s.name == "virtcheck_acceleration": accel = l["mode"]
    if gate_code != exit_code: problems.append(f"Prometheus virtcheck_gate_exit_code {gate_code}, the run exited {exit_code}")
    if prom_findings != findings: problems.append(f"Prometheus finding statuses differ: {set(prom_findings.items()) ^ set(findings.items())}")
    if prom_profiles != {i: p["status"] for i, p in profiles.items()}: problems.append("Prometheus profile statuses differ")
    if prom_cpu != {i: p["cpu"] for i, p in profiles.items()}: problems.append("Prometheus profile CPU statuses differ")
    can_json = {True: "yes", False: "no", None: "unknown"}[report["verdict"]["can_run_vms"]]
    if can != can_json: problems.append(f"Prometheus can_run_vms {can}, JSON {can_json}")
    if accel != report["verdict"]["acceleration"]: problems.append(f"Prometheus acceleration {accel}")

    # NFD
    label = re.compile(r"^virtcheck\.io/([A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)=((?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)$")
    labels = {}
    for line in open(nfd_path).read().splitlines():
        if line.startswith("#") or not line: continue
        m = label.match(line)
        if not m: problems.append(f"NFD: not a valid label line: {line!r}"); continue
        labels[m.group(1)] = m.group(2)
    expected = {"kvm": {True: "true", False: "false", None: "unknown"}[report["verdict"]["can_run_vms"]],
                "acceleration": report["verdict"]["acceleration"]}
    expected.update({f"profile.{i}": p["status"] for i, p in profiles.items()})
    expected.update({f"profile-cpu.{i}": p["cpu"] for i, p in profiles.items()})
    expected.update({f["id"]: f["status"] for f in report["findings"] if f["subject"] is None})
    for name, value in expected.items():
        if labels.get(name) != value: problems.append(f"NFD {name}={labels.get(name)}, JSON {value}")
    return problems

args = sys.argv[1:]
bad = 0
for i in range(0, len(args), 5):
    exit_code, report_path, junit_path, prom_path, nfd_path = args[i:i + 5]
    problems = compare(int(exit_code), json.load(open(report_path)), junit_path, prom_path, nfd_path)
    bad += bool(problems)
    for p in problems: print(f"{report_path}: {p}")
sys.exit(1 if bad else 0)
