import HostModel

/// The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or images from
/// anywhere) that answers "can this host run VMs, and how" in its first screen, then shows what
/// the answer rests on. It reads the typed report, like every renderer, so its statuses cannot
/// disagree with the JSON; whole facts it has no special layout for (capability sets, IOMMU
/// units, Popek–Goldberg, the emulator) are encoded as the JSON encodes them and shown in full.
/// Every value is escaped by `Markup`.
public struct HTMLRenderer: ReportRenderer {
    public init() {}

    public func render(_ r: Report) throws -> String {
        let page: Markup = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="virtcheck \(r.tool.version)">
        <title>virtcheck: \(r.host.brand ?? "unknown CPU")</title>
        <style>\(HTMLStyle.css)</style></head>
        <body><main>
        \(banner(r))
        \(profiles(r))
        \(findings(r))
        \(cpu(r))
        \(try capabilities(r))
        \(kvm(r))
        \(try iommuAndPCI(r))
        \(laterSection(try r.popekGoldberg.map(ReportEncoder.encode), title: "Popek–Goldberg analysis", anchor: "pg", about: "Which sensitive instructions are unprivileged on this CPU, and what that means for trap-and-emulate virtualization."))
        \(laterSection(r.emulator, title: "Virtualization model of this CPU", anchor: "emulator", about: "The VMX/SVM instruction model configured from this CPU's capabilities: what a hypervisor may use here and what VMXON and VM entry demand."))
        <footer>Written by virtcheck \(r.tool.version) · report schema \(r.schemaVersion) · source: \(r.source.kind.rawValue)\(paths(r)). The same report as JSON: <code>virtcheck check --format json</code>.</footer>
        </main></body></html>

        """
        return page.html
    }

    // MARK: Sections

    func banner(_ r: Report) -> Markup {
        let v = r.verdict
        let acceleration = v.acceleration.rawValue
        let (cls, answer): (String, String) = switch v.canRunVms {
        case true?: ("yes", "Yes — this host can run accelerated VMs")
        case false?: ("no", "No — this host cannot run accelerated VMs")
        case nil: ("unknown", "Unknown — the evidence cannot say yet")
        }
        let how: String = switch v.acceleration {
        case .hardware: "How: hardware virtualization (VT-x/AMD-V) through \(r.kvm.backend ?? "KVM")."
        case .softwareNested: "How: a software KVM backend (\(r.kvm.backend ?? "unknown")) without VT-x/AMD-V — guests run, with more exit overhead."
        case .none: "How: not at all — a guest run was tried and failed. Pure emulation (QEMU TCG) still works, slowly."
        case .unknown: "How: not proven — no guest was run for this report. Pure emulation (QEMU TCG) always works."
        }
        let run = r.kvm.guestRun
        let runText = run.map { $0.ok ? "ran (\($0.modes.joined(separator: ", ")))" : "failed" } ?? "not run"
        let passed = r.profiles.filter { $0.status == .pass }.count
        var facts: [Markup] = [
            "<li>acceleration: <b>\(acceleration)</b></li>",
            "<li>CPU: \(r.host.brand ?? "unknown", limit: 80)</li>",
            "<li>test guest: \(runText)</li>",
            "<li>profiles passed: \(passed) of \(r.profiles.count)</li>",
        ]
        if let median = run?.exitLatencyNs?.userspace?.median {
            facts.append("<li>exit to userspace: \(LatencyChart.format(ns: median))</li>")
        }
        let counts = statusCounts(r.findings)
        return """
        <header class="banner \(cls)" id="verdict" data-can-run-vms="\(v.canRunVms.map { $0 ? "true" : "false" } ?? "unknown")" data-acceleration="\(acceleration)">
        <p class="q">Can this host run virtual machines?</p>
        <h1>\(answer)</h1>
        <p class="how">\(how)</p>
        <p>\(v.summary, limit: 400)</p>
        <ul class="facts">\(facts)</ul>
        </header>
        <div class="counts">Findings: \(counts)</div>
        """
    }

    func statusCounts(_ findings: [Finding]) -> [Markup] {
        HTMLRenderer.statusOrder.compactMap { status in
            let n = findings.filter { $0.status == status }.count
            return n == 0 ? nil : "<span class=\"badge st-\(status.rawValue)\">\(n) \(status.rawValue)</span> "
        }
    }

    func profiles(_ r: Report) -> Markup {
        let rows: [Markup] = r.profiles.map { p in
            let list = { (ids: [String]) -> Markup in
                ids.isEmpty ? "—" : "\(ids.map { "<code>\($0)</code> " as Markup })"
            }
            return """
            <tr data-profile="\(p.id)" data-status="\(p.status.rawValue)" data-cpu="\(p.cpu.rawValue)"><th scope="row"><code>\(p.id)</code><br><small>\(CapabilityGlossary.profiles[p.id] ?? "")</small></th>
            <td>\(badge(p.status))</td><td>\(badge(p.cpu))</td><td>\(list(p.failed))</td><td>\(list(p.unknown))</td></tr>
            """
        }
        return """
        <section id="profiles"><h2>Profiles</h2>
        <p>Each profile is a set of requirements for one use. <i>CPU side</i> judges the CPU's requirements alone, so captured input without a guest run still says whether the CPU could.</p>
        <table><thead><tr><th>Profile</th><th>Status</th><th>CPU side</th><th>Failed requirements</th><th>Unknown (missing evidence)</th></tr></thead>
        <tbody>\(rows)</tbody></table></section>
        """
    }

    static let areas: [(prefix: String, title: String)] = [
        ("cpu", "CPU virtualization"), ("kvm", "KVM"), ("iommu", "IOMMU"), ("pci", "PCI passthrough"),
        ("cc", "Confidential computing"), ("pg", "Popek–Goldberg"),
    ]

    func findings(_ r: Report) -> Markup {
        func area(_ f: Finding) -> String { String(f.id.split(ascii: ".").first ?? "") }
        let known = HTMLRenderer.areas.map(\.prefix)
        let others = Array(Set(r.findings.map(area)).subtracting(known)).sorted().map { ($0, $0) }
        let sections: [Markup] = (HTMLRenderer.areas + others).map { prefix, title in
            let items = r.findings.filter { area($0) == prefix }.enumerated().sorted {
                let a = HTMLRenderer.severity($0.element.status), b = HTMLRenderer.severity($1.element.status)
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
            let body: Markup = items.isEmpty ? "<p class=\"absent\">No \(prefix).* findings in this report.</p>" : "\(items.map(finding))"
            return "<section id=\"area-\(prefix)\"><h3>\(title) <small class=\"mono\">\(prefix).*</small> \(statusCounts(items))</h3>\(body)</section>"
        }
        return "<section id=\"findings\"><h2>Findings</h2><p>Every rule's result with the evidence it used, most serious first within each area.</p>\(sections)</section>"
    }

    func finding(_ f: Finding) -> Markup {
        let evidence: [Markup] = f.evidence.map { "<li><code>\($0.source)</code>: \($0.detail)</li>" }
        let fix: Markup = (f.status != .pass && f.status != .notApplicable) ? f.remediation.map { "<p class=\"fix\"><b>Fix:</b> \($0)</p>" } ?? "" : ""
        return """
        <div class="finding \(f.status.rawValue)" data-finding="\(f.id)" data-subject="\(f.subject ?? "")" data-status="\(f.status.rawValue)">
        <h4>\(badge(f.status)) \(f.title) <span class="id">\(f.id)\(f.subject.map { " [\($0)]" } ?? "")</span></h4>
        <p>\(f.summary)</p>\(fix)
        \(evidence.isEmpty ? "" : "<ul>\(evidence)</ul>" as Markup)
        </div>
        """
    }

    func cpu(_ r: Report) -> Markup {
        let h = r.host
        func hexAndDec(_ n: Int?) -> String {
            guard let n else { return "unknown" }
            return "\(n) (0x\(String(n, radix: 16, uppercase: true)))"
        }
        let hv = h.hypervisor
        let hvText = hv.present
            ? "yes: \(hv.name ?? "unnamed")\(hv.signature.map { " (signature \($0))" } ?? "")"
            : "none reported (bare metal, or a hypervisor that hides itself)"
        let features: [Markup] = r.cpu.features.sorted { $0.key < $1.key }.map {
            "<li class=\"\($0.value ? "on" : "off")\">\($0.key)</li>"
        }
        let flags = r.cpu.kernelFlags
        return """
        <section id="cpu"><h2>CPU identity</h2>
        <dl class="kv">
        <dt>Brand</dt><dd>\(h.brand ?? "unknown")</dd>
        <dt>Vendor</dt><dd>\(h.vendor ?? "unknown")</dd>
        <dt>Family / model / stepping</dt><dd>\(hexAndDec(h.family)) / \(hexAndDec(h.model)) / \(h.stepping.map(String.init) ?? "unknown")</dd>
        <dt>Logical CPUs</dt><dd>\(h.logicalCpus.map(String.init) ?? "unknown")</dd>
        <dt>Hypervisor</dt><dd>\(hvText)</dd>
        <dt>Kernel</dt><dd>\(h.kernel ?? "unknown")</dd>
        <dt>Probed as root</dt><dd>\(yesNo(h.root))</dd>
        </dl>
        <h3>Virtualization feature bits (CPUID, as the CPU reports them)</h3>
        \(features.isEmpty ? "<p class=\"absent\">No CPUID evidence in this report.</p>" as Markup : "<ul class=\"chips\">\(features)</ul>")
        <p>Kernel flags (<code>/proc/cpuinfo</code>): \(flags.map { "\($0.count) flags — \($0.joined(separator: " "))" } ?? "not read")</p>
        \(r.cpu.differences.isEmpty ? "" : "<h3>CPUs that disagree</h3><ul>\(r.cpu.differences.map { "<li>\($0)</li>" as Markup })</ul>" as Markup)
        </section>
        """
    }

    func capabilities(_ r: Report) throws -> Markup {
        let vendorIntel = r.cpu.features["vmx"] == true
        let sections: [Markup] = [
            capabilityTable(try r.cpu.vmx.map(ReportEncoder.encode), title: "Intel VT-x (VMX)", glossary: CapabilityGlossary.vmx,
                            absent: "CPUID reports no VMX: not an Intel VT-x CPU, or a hypervisor hides it."),
            capabilityTable(try r.cpu.svm.map(ReportEncoder.encode), title: "AMD-V (SVM)", glossary: CapabilityGlossary.svm,
                            absent: vendorIntel ? "Not an AMD CPU." : "CPUID reports no SVM: not an AMD-V CPU, or a hypervisor hides it."),
            capabilityTable(try r.cpu.sev.map(ReportEncoder.encode), title: "AMD SEV (memory encryption)", glossary: CapabilityGlossary.sev,
                            absent: "No SEV leaf (CPUID 8000001Fh) in this report."),
            capabilityTable(nil, title: "Intel TDX", glossary: [:], absent: "TDX is not available in this report."),
        ]
        return "<section id=\"capabilities\"><h2>Virtualization capabilities</h2><p><span class=\"yesv\">yes</span> / <span class=\"nov\">no</span> as decoded; <span class=\"unk\">unknown</span> where no source said (e.g. the MSRs could not be read).</p>\(sections)</section>"
    }

    func capabilityTable(_ value: JSONValue?, title: String, glossary: [String: String], absent: String) -> Markup {
        guard let object = value?.objectValue else {
            return "<h3>\(title)</h3><p class=\"absent\">\(absent)</p>"
        }
        var rows: [Markup] = []
        func add(_ object: [String: JSONValue], prefix: String) {
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                if let nested = v.objectValue {
                    add(nested, prefix: prefix + key + ".")
                    continue
                }
                rows.append("<tr data-capability=\"\(prefix + key)\"><th scope=\"row\"><code>\(prefix + key)</code></th><td class=\"val\">\(valueCell(v))</td><td>\(glossary[key] ?? glossary[prefix.split(ascii: ".").first.map(String.init) ?? ""] ?? "")</td></tr>")
            }
        }
        add(object, prefix: "")
        return "<h3>\(title)</h3><table><thead><tr><th>Capability</th><th>Value</th><th>What it means</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    func kvm(_ r: Report) -> Markup {
        let k = r.kvm
        let caps: [Markup] = k.capabilities.sorted { $0.key < $1.key }.map {
            "<tr><td><code>\($0.key)</code></td><td>\($0.value)</td></tr>"
        }
        return """
        <section id="kvm"><h2>KVM</h2>
        <dl class="kv">
        <dt>/dev/kvm</dt><dd>\(yesNo(k.device.present, yes: "present", no: "absent"))\(k.device.accessible == false ? ", not accessible to this user" : "")</dd>
        <dt>Backend module</dt><dd>\(k.backend ?? "none loaded")</dd>
        <dt>API version</dt><dd>\(k.apiVersion.map(String.init) ?? "unknown")</dd>
        <dt>Nested</dt><dd>module parameter: \(yesNo(k.nested.enabled)) · offers VMX to guests: \(yesNo(k.nested.vmx)) · offers SVM to guests: \(yesNo(k.nested.svm))</dd>
        </dl>
        \(guestRun(k.guestRun))
        <h3>KVM capabilities</h3>
        \(caps.isEmpty ? "<p class=\"absent\">No KVM_CHECK_EXTENSION answers in this report.</p>" as Markup : "<table><thead><tr><th>Capability</th><th>Value</th></tr></thead><tbody>\(caps)</tbody></table>")
        </section>
        """
    }

    func guestRun(_ run: Report.GuestRun?) -> Markup {
        guard let run else {
            return "<h3>Test guest</h3><p class=\"absent\">No guest was run for this report (captured input, --no-guest, or no usable /dev/kvm): acceleration is not proven.</p>"
        }
        let rows: [Markup] = run.runs.map { m in
            let exits = m.exits.map(\.reason).joined(separator: ", ")
            return "<tr data-mode=\"\(m.mode)\"><td><code>\(m.mode)</code></td><td>\(yesNo(m.ok, yes: "ran", no: "failed"))</td><td class=\"mono\">\(hex(m.expected))</td><td class=\"mono\">\(hex(m.observed))</td><td>\(exits)</td><td>\(m.detail ?? "")</td></tr>"
        }
        var bars: [LatencyChart.Bar] = []
        if let u = run.exitLatencyNs?.userspace {
            bars.append(.init(label: "Exit to userspace", detail: "OUT → KVM_RUN returns", median: u.median, p10: u.p10, p90: u.p90, samples: u.samples))
        }
        if let k = run.exitLatencyNs?.inKernel {
            bars.append(.init(label: "Exit handled in kernel", detail: "CPUID, stays in the kernel", median: k.median, p10: k.p10, p90: k.p90, samples: k.samples))
        }
        let chart: Markup = bars.isEmpty ? "<p class=\"absent\">No exit latencies were measured.</p>" : "<h3>Exit latency (median, whisker p10–p90)</h3>\(LatencyChart(bars: bars).svg())"
        return """
        <h3>Test guest: \(run.ok ? "ran" : "failed")\(run.timedOut ? " (timed out)" : "")</h3>
        \(run.error.map { "<p class=\"fix\"><b>Error:</b> \($0)</p>" } ?? "")
        <table><thead><tr><th>Mode</th><th>Result</th><th>Expected</th><th>Returned</th><th>Exits</th><th>Detail</th></tr></thead><tbody>\(rows)</tbody></table>
        \(chart)
        """
    }

    func iommuAndPCI(_ r: Report) throws -> Markup {
        // The IOMMU facts in full as the JSON holds them, less the groups the diagram below draws.
        let facts = try ReportEncoder.encode(r.iommu).objectValue?.filter { $0.key != "groups" } ?? [:]
        let iommuPart: Markup = "<h3>IOMMU</h3>\(tree(.object(facts)))"
        var groups: [String: [IOMMUGroupDiagram.Device]] = [:]
        let rows: [Markup] = r.pci.devices.map { d in
            let status = d.passthrough?.status ?? .unknown
            let name = d.name ?? "\(d.vendorId ?? "?"):\(d.deviceId ?? "?")"
            if let g = d.iommuGroup { groups[String(g), default: []].append(.init(address: d.address, label: name, status: status)) }
            let reasons = d.passthrough?.reasons ?? []
            return """
            <tr data-device="\(d.address)" data-status="\(status.rawValue)"><td class="mono">\(d.address)</td><td>\(name)</td><td class="mono">\(d.vendorId ?? "?"):\(d.deviceId ?? "?")</td><td>\(d.class ?? "?")</td><td>\(d.iommuGroup.map(String.init) ?? "none")</td><td>\(d.driver ?? "none")</td><td>\(badge(status))\(reasons.isEmpty ? "" : "<ul>\(reasons.map { "<li>\($0)</li>" as Markup })</ul>" as Markup)</td></tr>
            """
        }
        let diagram: Markup = groups.isEmpty
            ? "<p class=\"absent\">No device belongs to an IOMMU group: without an active IOMMU nothing can be passed through.</p>"
            : IOMMUGroupDiagram(groups: groups.keys.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }.map { .init(id: $0, devices: groups[$0]!) }).svg()
        return """
        <section id="iommu"><h2>IOMMU groups and device passthrough</h2>\(iommuPart)
        <h3>IOMMU groups</h3>\(diagram)
        <h3>PCI devices</h3>
        <table><thead><tr><th>Address</th><th>Name</th><th>ID</th><th>Class</th><th>Group</th><th>Driver</th><th>Passthrough</th></tr></thead><tbody>\(rows)</tbody></table>
        </section>
        """
    }

    func laterSection(_ value: JSONValue?, title: String, anchor: String, about: String) -> Markup {
        guard let value, value != .null else {
            return "<section id=\"\(anchor)\"><h2>\(title)</h2><p>\(about)</p><p class=\"absent\">\(title) is not available in this report.</p></section>"
        }
        return "<section id=\"\(anchor)\"><h2>\(title)</h2><p>\(about)</p>\(tree(value))</section>"
    }

    // MARK: Values

    /// Any JSON value as HTML: objects as key/value tables, arrays of objects as tables, so a
    /// section this renderer has no special layout for is still shown in full.
    func tree(_ v: JSONValue) -> Markup {
        switch v {
        case .object(let o):
            let rows: [Markup] = o.sorted { $0.key < $1.key }.map { "<tr><th scope=\"row\"><code>\($0.key)</code></th><td>\(tree($0.value))</td></tr>" }
            return rows.isEmpty ? "—" : "<table class=\"tree\">\(rows)</table>"
        case .array(let items):
            if items.isEmpty { return "—" }
            let objects = items.compactMap(\.objectValue)
            if objects.count == items.count {
                let keys = Array(Set(objects.flatMap(\.keys))).sorted()
                let head: [Markup] = keys.map { "<th>\($0)</th>" }
                let body: [Markup] = objects.map { o in "<tr>\(keys.map { "<td>\(tree(o[$0] ?? .null))</td>" as Markup })</tr>" }
                return "<table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
            }
            return "\(items.enumerated().map { "\($0.offset > 0 ? ", " : "")\(tree($0.element))" as Markup })"
        case .string(let s) where FindingStatus(rawValue: s) != nil:
            return badge(FindingStatus(rawValue: s) ?? .unknown)
        default:
            return valueCell(v)
        }
    }

    func valueCell(_ v: JSONValue) -> Markup {
        switch v {
        case .bool(true): "<span class=\"yesv\">yes</span>"
        case .bool(false): "<span class=\"nov\">no</span>"
        case .null: "<span class=\"unk\">unknown</span>"
        case .array, .object: tree(v)
        default: "\(v.scalarText ?? "")"
        }
    }

    func yesNo(_ v: Bool?, yes: String = "yes", no: String = "no") -> Markup {
        switch v {
        case true?: "<span class=\"yesv\">\(yes)</span>"
        case false?: "<span class=\"nov\">\(no)</span>"
        case nil: "<span class=\"unk\">unknown</span>"
        }
    }

    func hex(_ v: UInt64?) -> String { v.map { "0x" + String($0, radix: 16) } ?? "—" }

    func badge(_ status: FindingStatus) -> Markup {
        "<span class=\"badge st-\(status.rawValue)\">\(status.rawValue)</span>"
    }

    func paths(_ r: Report) -> String {
        r.source.paths.isEmpty ? "" : " (\(r.source.paths.joined(separator: ", ")))"
    }

    static let statusOrder: [FindingStatus] = [.fail, .warn, .unknown, .pass, .notApplicable]

    static func severity(_ status: FindingStatus) -> Int { statusOrder.firstIndex(of: status) ?? statusOrder.count }
}
