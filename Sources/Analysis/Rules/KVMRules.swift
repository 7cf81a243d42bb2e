import HostModel

/// Whether KVM is usable here: the device, access, the API, nesting — and a guest that really
/// ran, the only proof; flags and modules alone prove nothing.
enum KVMRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [device(c), accessible(c), api(c), guestRun(c), nested(c)]
    }

    static func device(_ c: RuleContext) -> Finding {
        let id = "kvm.device", f = c.facts
        if f.kvm.device.present != true, let limit = f.kvm.openOwnLimit {
            return c.finding(id, .unknown, "virtcheck could not look at /dev/kvm for its own reasons: \(limit).",
                             evidence: [EvidenceItem(source: "/dev/kvm", detail: limit)], remedy: "own-limit")
        }
        guard let present = f.kvm.device.present else {
            return c.finding(id, .unknown, "The input holds no /dev/kvm evidence (captured files, not a live host).",
                             evidence: [EvidenceItem(source: "input", detail: "no kvm section")], remedy: "offline")
        }
        let ev = [EvidenceItem(source: "/dev/kvm", detail: present ? "present" : "absent"),
                  EvidenceItem(source: "/sys/module", detail: "KVM backend module: \(f.kvm.backend ?? "none loaded")")]
        return present
            ? c.finding(id, .pass, "/dev/kvm is present (backend \(f.kvm.backend ?? "unknown")).", evidence: ev)
            : c.finding(id, .fail, "/dev/kvm does not exist: no KVM backend is loaded.", evidence: ev, remedy: "absent")
    }

    static func accessible(_ c: RuleContext) -> Finding {
        let id = "kvm.accessible", f = c.facts
        guard f.kvm.device.present == true else {
            return f.kvm.device.present == false
                ? c.finding(id, .notApplicable, "No /dev/kvm to open.")
                : c.finding(id, .unknown, "No /dev/kvm evidence in the input.", remedy: "offline")
        }
        guard let accessible = f.kvm.device.accessible else {
            if let limit = f.kvm.openOwnLimit {
                return c.finding(id, .unknown, "virtcheck could not try to open /dev/kvm for its own reasons: \(limit).",
                                 evidence: [EvidenceItem(source: "open(/dev/kvm, O_RDWR)", detail: limit)], remedy: "own-limit")
            }
            return c.finding(id, .unknown, "Not tried: the evidence is a captured tree.", remedy: "offline")
        }
        let ev = [EvidenceItem(source: "open(/dev/kvm, O_RDWR)", detail: accessible ? "ok" : "refused")]
        return accessible
            ? c.finding(id, .pass, "/dev/kvm opens read-write.", evidence: ev)
            : c.finding(id, .warn, "This user may not open /dev/kvm.", evidence: ev, remedy: "denied")
    }

    static func api(_ c: RuleContext) -> Finding {
        let id = "kvm.api"
        guard let api = c.facts.kvm.apiVersion else {
            return c.finding(id, .unknown, "KVM_GET_API_VERSION was not asked (no /dev/kvm access or captured input).",
                             remedy: c.fromHost ? "not-asked" : "offline")
        }
        let ev = [EvidenceItem(source: "ioctl(KVM_GET_API_VERSION)", detail: "\(api)")]
        return api == 12
            ? c.finding(id, .pass, "KVM API version is 12, the stable API.", evidence: ev)
            : c.finding(id, .fail, "KVM API version is \(api); userspace expects 12.", evidence: ev, remedy: "wrong-version")
    }

    static func guestRun(_ c: RuleContext) -> Finding {
        let id = "kvm.guest-run", f = c.facts
        guard let run = f.kvm.guestRun else {
            // Evidence that /dev/kvm is absent (live, a tree, or a snapshot that recorded it) is a
            // fact wherever it is read; inputs that never looked at /dev/kvm leave it nil.
            if f.kvm.device.present == false {
                return c.finding(id, .fail, "No guest can run: /dev/kvm does not exist.",
                                 evidence: [EvidenceItem(source: "/dev/kvm", detail: "absent")], remedy: "no-device")
            }
            let why = c.source.kind == .live
                ? (f.kvm.device.accessible == false ? "this user cannot open /dev/kvm" : "the run was skipped (--no-guest)")
                : "captured input cannot run a guest"
            return c.finding(id, .unknown, "No guest was run: \(why).", remedy: c.source.kind == .live ? "skipped" : "offline")
        }
        var ev = run.runs.map { r in
            EvidenceItem(source: "guest run (\(r.mode))",
                         detail: r.ok ? "ok, returned \(r.observed.map { Hex.format64($0) } ?? "-"), \(r.exits.count) exits" : "failed: \(r.detail ?? "no detail")")
        }
        if let u = run.exitLatencyNs?.userspace { ev.append(EvidenceItem(source: "exit latency (userspace)", detail: "median \(Int(u.median)) ns over \(u.samples) exits")) }
        if let k = run.exitLatencyNs?.inKernel { ev.append(EvidenceItem(source: "exit latency (in-kernel)", detail: "median \(Int(k.median)) ns over \(k.samples) exits")) }
        if let limit = run.ownLimit {
            ev.append(EvidenceItem(source: "guest run", detail: limit))
            return c.finding(id, .unknown, "virtcheck could not run the test guest for its own reasons, not the host's: \(limit).",
                             evidence: ev, remedy: "own-limit")
        }
        if run.ok {
            return c.finding(id, .pass, "Guests ran in \(run.runs.map(\.mode).joined(separator: " and ")) mode through \(f.kvm.backend ?? "KVM").", evidence: ev)
        }
        if let error = run.error { ev.append(EvidenceItem(source: "guest run", detail: error)) }
        return c.finding(id, .fail,
                         run.timedOut ? "The guest run did not finish within its time limit." : "The guest run failed: \(run.error ?? "see evidence").",
                         evidence: ev, remedy: "failed")
    }

    static func nested(_ c: RuleContext) -> Finding {
        let id = "kvm.nested", f = c.facts
        var ev: [EvidenceItem] = []
        if let enabled = f.kvm.nested.enabled {
            ev.append(EvidenceItem(source: "/sys/module/\(f.kvm.backend ?? "kvm_*")/parameters/nested", detail: enabled ? "Y" : "N"))
        }
        // A pasted kernel log says how the backend was loaded (svm.c svm_hardware_setup), not what
        // KVM offers guests: evidence beside the decision, never the decision.
        ev += f.logged { if case .nestedEnabled = $0 { true } else { false } }.map { EvidenceItem(source: "dmesg", detail: $0.line) }
        guard let vmx = f.kvm.nested.vmx, let svm = f.kvm.nested.svm else {
            if let limit = f.kvm.openOwnLimit {
                // The limit met a stat or an open of the node (its text names which).
                return c.finding(id, .unknown, "KVM_GET_SUPPORTED_CPUID was not read: virtcheck could not reach /dev/kvm for its own reasons: \(limit).",
                                 evidence: ev + [EvidenceItem(source: "/dev/kvm", detail: limit)], remedy: "own-limit")
            }
            return c.finding(id, .unknown, "KVM_GET_SUPPORTED_CPUID was not read.", evidence: ev, remedy: c.fromHost ? "not-read" : "offline")
        }
        ev.append(EvidenceItem(source: "KVM_GET_SUPPORTED_CPUID", detail: "VMX \(vmx ? "offered" : "not offered"), SVM \(svm ? "offered" : "not offered")"))
        if svm, let run = f.kvm.guestRun?.nested { return nestedRun(c, run, nested32: f.kvm.guestRun?.nested32, evidence: ev) }
        if vmx {
            return c.finding(id, .pass, "KVM offers VT-x to its guests. Inferred from KVM_GET_SUPPORTED_CPUID and \(f.kvm.backend ?? "the backend")'s "
                             + "nested parameter, not proven by a run: virtcheck's nested run is SVM only (QEMU's TCG, where it is tested, has no VT-x).",
                             evidence: ev)
        }
        if svm {
            return c.finding(id, .pass, "KVM offers AMD-V to its guests. Inferred from KVM_GET_SUPPORTED_CPUID: no nested guest was run "
                             + "(\(f.kvm.guestRun != nil ? "the recorded guest run has none: it predates the nested run" : c.source.kind == .live ? "the guest run was skipped" : "captured input cannot run one")).",
                             evidence: ev)
        }
        return c.finding(id, .fail, "Guests cannot be given VT-x/AMD-V: KVM_GET_SUPPORTED_CPUID offers neither VMX nor SVM.", evidence: ev,
                         remedy: c.softwareBackend == nil ? "enable-nested" : "software-backend")
    }

    /// What a pass without 32-bit runs (recorded before they existed, or cut short) covers: the
    /// run's L1 is 64-bit, and the lab (docs/lab.md) found kvm_amd 6.1 failing 32-bit L1s on
    /// #VMEXIT from a nested guest that runs with paging off.
    static let nestedScope = "This proves nesting for 64-bit guest hypervisors (what KVM, Hyper-V, VMware, Xen and VirtualBox are); "
        + "32-bit ones were not run, and KVM's return to one after a nested guest that runs with paging off can fail "
        + "(kvm_amd 6.1: 2-level paging without nested paging, PAE paging with it)."

    /// The 64-bit run completed: the 32-bit runs say which other guest hypervisors nest. A 32-bit
    /// failure is a warning (64-bit guest hypervisors, the ones users run, still nest); a 32-bit
    /// run cut short by virtcheck's limits or the deadline proves nothing and is said as such.
    static func nestedPass(_ c: RuleContext, _ run: NestedRunEvidence, nested32: [NestedRunEvidence]?, evidence: [EvidenceItem]) -> Finding {
        var ev = evidence
        let proven = "A nested guest ran: KVM's guest, a 64-bit hypervisor (long mode, 4-level paging), executed VMRUN "
            + "\(run.roundsPlanned) times, each intercepted HLT of its own guest came back as #VMEXIT 78h with the guest's state "
            + "saved, and it resumed that guest every time."
        guard let nested32, !nested32.isEmpty else { return c.finding("kvm.nested", .pass, proven + " " + nestedScope, evidence: ev) }
        for r in nested32 {
            ev.append(EvidenceItem(source: "nested guest run (SVM), L1 \(r.l1 ?? "32-bit")",
                                   detail: r.ok ? "\(r.rounds.count) of \(r.roundsPlanned) round trips completed (nested guest with paging off)"
                                       : "failed: \(r.error ?? "see the rounds")"))
        }
        let failed = nested32.filter { !$0.ok && $0.ownLimit == nil && !$0.timedOut }
        let unproven = nested32.filter { !$0.ok && ($0.ownLimit != nil || $0.timedOut) }
        let modes = { (runs: [NestedRunEvidence]) in runs.map { $0.l1 ?? "32-bit" }.joined(separator: " and ") }
        if failed.isEmpty {
            let rest = unproven.isEmpty
                ? " So did 32-bit ones (\(modes(nested32))) with a nested guest that runs with paging off."
                : " The 32-bit runs (\(modes(unproven))) did not finish for virtcheck's own reasons or its deadline: 32-bit guest hypervisors are not proven."
            return c.finding("kvm.nested", .pass, proven + rest, evidence: ev)
        }
        return c.finding("kvm.nested", .warn, proven + " But a 32-bit guest hypervisor (\(modes(failed))) does not nest here: after a nested "
                         + "guest that runs with paging off, #VMEXIT back to it fails (\(failed[0].error ?? "see evidence")). 64-bit guest "
                         + "hypervisors (what KVM, Hyper-V, VMware, Xen and VirtualBox are) are not affected.",
                         evidence: ev, remedy: "nested-32-bit")
    }

    /// Where KVM offers SVM, the nested run decides: proven, failed (what happened, in which
    /// round trip), or not run for virtcheck's own reasons (unknown).
    static func nestedRun(_ c: RuleContext, _ run: NestedRunEvidence, nested32: [NestedRunEvidence]? = nil, evidence: [EvidenceItem]) -> Finding {
        let id = "kvm.nested"
        var ev = evidence
        for round in run.rounds {
            ev.append(EvidenceItem(source: "nested guest run (SVM), round \(round.index)",
                                   detail: "#VMEXIT EXITCODE \(Hex.compact(round.exitCode)), saved RIP \(Hex.compact(round.rip)), nRIP \(Hex.compact(round.nextRIP)), "
                                       + "RAX \(Hex.compact(round.rax)), nested guest's count \(round.counter)" + (round.problem.map { "; \($0)" } ?? "")))
        }
        if let fault = run.fault {
            ev.append(EvidenceItem(source: "nested guest run (SVM), L1's IDT",
                                   detail: "exception \(fault.vector), error code \(Hex.compact(fault.errorCode)), RIP \(Hex.compact(fault.rip)), round \(fault.round)"))
        }
        if let limit = run.ownLimit {
            ev.append(EvidenceItem(source: "nested guest run (SVM)", detail: limit))
            return c.finding(id, .unknown, "KVM offers AMD-V to its guests, but virtcheck could not run its nested guest for its own reasons: \(limit).",
                             evidence: ev, remedy: "own-limit")
        }
        if run.timedOut {
            ev.append(EvidenceItem(source: "nested guest run (SVM)", detail: run.error ?? "time limit"))
            return c.finding(id, .unknown, "KVM offers AMD-V to its guests, but the nested guest did not finish within the guest run's time limit.",
                             evidence: ev, remedy: "nested-timeout")
        }
        if run.ok { return nestedPass(c, run, nested32: nested32, evidence: ev) }
        ev.append(EvidenceItem(source: "nested guest run (SVM)", detail: run.error ?? "failed"))
        return c.finding(id, .fail, "KVM offers AMD-V to its guests, but a nested guest does not work: \(run.error ?? "see evidence").",
                         evidence: ev, remedy: "nested-run-failed")
    }

}
