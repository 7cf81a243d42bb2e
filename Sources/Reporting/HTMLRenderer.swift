/// The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or images from
/// anywhere) that answers "can this host run VMs, and how" in its first screen, then shows what
/// the answer rests on. It renders the report's JSON tree, so whatever the JSON holds the page
/// holds, sections added later (IOMMU, PCI, Popek–Goldberg, emulator) included, and statuses
/// cannot disagree with the JSON. Every value is escaped by `Markup`.
public struct HTMLRenderer: Sendable {
    public init() {}

    public func render(_ report: Report) throws -> String {
        render(tree: try ReportEncoder.encode(report))
    }

    /// Renders a report given as its JSON tree (what `--format json` writes).
    public func render(tree r: JSONValue) -> String {
        let brand = r["host"]?["brand"]?.stringValue ?? "unknown CPU"
        let page: Markup = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="virtcheck \(r["tool"]?["version"]?.stringValue ?? "")">
        <title>virtcheck: \(brand)</title>
        <style>\(HTMLStyle.css)</style></head>
        <body><main>
        \(banner(r))
        \(profiles(r))
        \(findings(r))
        \(cpu(r))
        \(capabilities(r))
        \(kvm(r))
        \(iommuAndPCI(r))
        \(laterSection(r, key: "popek_goldberg", title: "Popek–Goldberg analysis", anchor: "pg", about: "Which sensitive instructions are unprivileged on this CPU, and what that means for trap-and-emulate virtualization."))
        \(laterSection(r, key: "emulator", title: "Virtualization model of this CPU", anchor: "emulator", about: "The VMX/SVM instruction model configured from this CPU's capabilities: what a hypervisor may use here and what VMXON and VM entry demand."))
        <footer>Written by virtcheck \(r["tool"]?["version"]?.stringValue ?? "") · report schema \(r["schema_version"]?.scalarText ?? "?") · source: \(r["source"]?["kind"]?.stringValue ?? "?")\(paths(r)). The same report as JSON: <code>virtcheck check --format json</code>.</footer>
        </main></body></html>

        """
        return page.html
    }

    // MARK: Sections

    func banner(_ r: JSONValue) -> Markup {
        let v = r["verdict"]
        let can = v?["can_run_vms"]?.boolValue
        let acceleration = v?["acceleration"]?.stringValue ?? "unknown"
        let (cls, answer): (String, String) = switch can {
        case true?: ("yes", "Yes — this host can run accelerated VMs")
        case false?: ("no", "No — this host cannot run accelerated VMs")
        case nil: ("unknown", "Unknown — the evidence cannot say yet")
        }
        let how: String = switch acceleration {
        case "hardware": "How: hardware virtualization (VT-x/AMD-V) through \(r["kvm"]?["backend"]?.stringValue ?? "KVM")."
        case "software-nested": "How: a software KVM backend (\(r["kvm"]?["backend"]?.stringValue ?? "unknown")) without VT-x/AMD-V — guests run, with more exit overhead."
        case "none": "How: not at all — a guest run was tried and failed. Pure emulation (QEMU TCG) still works, slowly."
        default: "How: not proven — no guest was run for this report. Pure emulation (QEMU TCG) always works."
        }
        let run = r["kvm"]?["guest_run"]
        let runText = run == nil || run == .null ? "not run" : run?["ok"]?.boolValue == true ? "ran (\(run?["modes"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""))" : "failed"
        let profiles = r["profiles"]?.arrayValue ?? []
        let passed = profiles.filter { $0["status"]?.stringValue == "pass" }.count
        var facts: [Markup] = [
            "<li>acceleration: <b>\(acceleration)</b></li>",
            "<li>CPU: \(r["host"]?["brand"]?.stringValue ?? "unknown", limit: 80)</li>",
            "<li>test guest: \(runText)</li>",
            "<li>profiles passed: \(passed) of \(profiles.count)</li>",
        ]
        if let median = run?["exit_latency_ns"]?["userspace"]?["median"]?.doubleValue {
            facts.append("<li>exit to userspace: \(LatencyChart.format(ns: median))</li>")
        }
        let counts = statusCounts(r["findings"]?.arrayValue ?? [])
        return """
        <header class="banner \(cls)" id="verdict" data-can-run-vms="\(can.map { $0 ? "true" : "false" } ?? "unknown")" data-acceleration="\(acceleration)">
        <p class="q">Can this host run virtual machines?</p>
        <h1>\(answer)</h1>
        <p class="how">\(how)</p>
        <p>\(v?["summary"]?.stringValue ?? "", limit: 400)</p>
        <ul class="facts">\(facts)</ul>
        </header>
        <div class="counts">Findings: \(counts)</div>
        """
    }

    func statusCounts(_ findings: [JSONValue]) -> [Markup] {
        HTMLRenderer.statusOrder.compactMap { status in
            let n = findings.filter { $0["status"]?.stringValue == status }.count
            return n == 0 ? nil : "<span class=\"badge st-\(HTMLRenderer.statusClass(status))\">\(n) \(status)</span> "
        }
    }

    func profiles(_ r: JSONValue) -> Markup {
        let rows: [Markup] = (r["profiles"]?.arrayValue ?? []).map { p in
            let id = p["id"]?.stringValue ?? "?"
            let list = { (key: String) -> Markup in
                let ids = p[key]?.arrayValue?.compactMap(\.stringValue) ?? []
                return ids.isEmpty ? "—" : "\(ids.map { "<code>\($0)</code> " as Markup })"
            }
            return """
            <tr data-profile="\(id)" data-status="\(p["status"]?.stringValue ?? "")" data-cpu="\(p["cpu"]?.stringValue ?? "")"><th scope="row"><code>\(id)</code><br><small>\(CapabilityGlossary.profiles[id] ?? "")</small></th>
            <td>\(badge(p["status"]?.stringValue))</td><td>\(badge(p["cpu"]?.stringValue))</td><td>\(list("failed"))</td><td>\(list("unknown"))</td></tr>
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

    func findings(_ r: JSONValue) -> Markup {
        let all = r["findings"]?.arrayValue ?? []
        func area(_ f: JSONValue) -> String { String((f["id"]?.stringValue ?? "").split(separator: ".").first ?? "") }
        let known = HTMLRenderer.areas.map(\.prefix)
        let others = Array(Set(all.map(area)).subtracting(known)).sorted().map { ($0, $0) }
        let sections: [Markup] = (HTMLRenderer.areas + others).map { prefix, title in
            let items = all.filter { area($0) == prefix }.enumerated().sorted {
                let a = HTMLRenderer.severity($0.element["status"]?.stringValue), b = HTMLRenderer.severity($1.element["status"]?.stringValue)
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
            let body: Markup = items.isEmpty ? "<p class=\"absent\">No \(prefix).* findings in this report.</p>" : "\(items.map(finding))"
            return "<section id=\"area-\(prefix)\"><h3>\(title) <small class=\"mono\">\(prefix).*</small> \(statusCounts(items))</h3>\(body)</section>"
        }
        return "<section id=\"findings\"><h2>Findings</h2><p>Every rule's result with the evidence it used, most serious first within each area.</p>\(sections)</section>"
    }

    func finding(_ f: JSONValue) -> Markup {
        let status = f["status"]?.stringValue ?? "unknown"
        let subject = f["subject"]?.stringValue
        let evidence: [Markup] = (f["evidence"]?.arrayValue ?? []).map {
            "<li><code>\($0["source"]?.stringValue ?? "")</code>: \($0["detail"]?.stringValue ?? "")</li>"
        }
        let fix: Markup = (status != "pass" && status != "not-applicable") ? f["remediation"]?.stringValue.map { "<p class=\"fix\"><b>Fix:</b> \($0)</p>" } ?? "" : ""
        return """
        <div class="finding \(HTMLRenderer.statusClass(status))" data-finding="\(f["id"]?.stringValue ?? "")" data-subject="\(subject ?? "")" data-status="\(status)">
        <h4>\(badge(status)) \(f["title"]?.stringValue ?? "") <span class="id">\(f["id"]?.stringValue ?? "")\(subject.map { " [\($0)]" } ?? "")</span></h4>
        <p>\(f["summary"]?.stringValue ?? "")</p>\(fix)
        \(evidence.isEmpty ? "" : "<ul>\(evidence)</ul>" as Markup)
        </div>
        """
    }

    func cpu(_ r: JSONValue) -> Markup {
        let h = r["host"]
        func hexAndDec(_ key: String) -> String {
            guard let n = h?[key]?.doubleValue else { return "unknown" }
            return "\(Int(n)) (0x\(String(Int(n), radix: 16, uppercase: true)))"
        }
        let hv = h?["hypervisor"]
        let hvText = hv?["present"]?.boolValue == true
            ? "yes: \(hv?["name"]?.stringValue ?? "unnamed")\(hv?["signature"]?.stringValue.map { " (signature \($0))" } ?? "")"
            : "none reported (bare metal, or a hypervisor that hides itself)"
        let features: [Markup] = (r["cpu"]?["features"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "<li class=\"\($0.value.boolValue == true ? "on" : "off")\">\($0.key)</li>"
        }
        let flags = r["cpu"]?["kernel_flags"]?.arrayValue?.compactMap(\.stringValue)
        let differences = r["cpu"]?["differences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return """
        <section id="cpu"><h2>CPU identity</h2>
        <dl class="kv">
        <dt>Brand</dt><dd>\(h?["brand"]?.stringValue ?? "unknown")</dd>
        <dt>Vendor</dt><dd>\(h?["vendor"]?.stringValue ?? "unknown")</dd>
        <dt>Family / model / stepping</dt><dd>\(hexAndDec("family")) / \(hexAndDec("model")) / \(h?["stepping"]?.scalarText ?? "unknown")</dd>
        <dt>Logical CPUs</dt><dd>\(h?["logical_cpus"]?.scalarText ?? "unknown")</dd>
        <dt>Hypervisor</dt><dd>\(hvText)</dd>
        <dt>Kernel</dt><dd>\(h?["kernel"]?.stringValue ?? "unknown")</dd>
        <dt>Probed as root</dt><dd>\(yesNo(h?["root"]))</dd>
        </dl>
        <h3>Virtualization feature bits (CPUID, as the CPU reports them)</h3>
        \(features.isEmpty ? "<p class=\"absent\">No CPUID evidence in this report.</p>" as Markup : "<ul class=\"chips\">\(features)</ul>")
        <p>Kernel flags (<code>/proc/cpuinfo</code>): \(flags.map { "\($0.count) flags — \($0.joined(separator: " "))" } ?? "not read")</p>
        \(differences.isEmpty ? "" : "<h3>CPUs that disagree</h3><ul>\(differences.map { "<li>\($0)</li>" as Markup })</ul>" as Markup)
        </section>
        """
    }

    func capabilities(_ r: JSONValue) -> Markup {
        let cpu = r["cpu"]
        let vendorIntel = cpu?["features"]?["vmx"]?.boolValue == true
        let sections: [Markup] = [
            capabilityTable(cpu?["vmx"], title: "Intel VT-x (VMX)", glossary: CapabilityGlossary.vmx,
                            absent: "CPUID reports no VMX: not an Intel VT-x CPU, or a hypervisor hides it."),
            capabilityTable(cpu?["svm"], title: "AMD-V (SVM)", glossary: CapabilityGlossary.svm,
                            absent: vendorIntel ? "Not an AMD CPU." : "CPUID reports no SVM: not an AMD-V CPU, or a hypervisor hides it."),
            capabilityTable(cpu?["sev"], title: "AMD SEV (memory encryption)", glossary: CapabilityGlossary.sev,
                            absent: "No SEV leaf (CPUID 8000001Fh) in this report."),
            capabilityTable(cpu?["tdx"], title: "Intel TDX", glossary: [:], absent: "TDX is not available in this report."),
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
                rows.append("<tr data-capability=\"\(prefix + key)\"><th scope=\"row\"><code>\(prefix + key)</code></th><td class=\"val\">\(valueCell(v))</td><td>\(glossary[key] ?? glossary[prefix.split(separator: ".").first.map(String.init) ?? ""] ?? "")</td></tr>")
            }
        }
        add(object, prefix: "")
        return "<h3>\(title)</h3><table><thead><tr><th>Capability</th><th>Value</th><th>What it means</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    func kvm(_ r: JSONValue) -> Markup {
        let k = r["kvm"]
        let caps: [Markup] = (k?["capabilities"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "<tr><td><code>\($0.key)</code></td><td>\($0.value.scalarText ?? "")</td></tr>"
        }
        return """
        <section id="kvm"><h2>KVM</h2>
        <dl class="kv">
        <dt>/dev/kvm</dt><dd>\(yesNo(k?["device"]?["present"], yes: "present", no: "absent"))\(k?["device"]?["accessible"]?.boolValue == false ? ", not accessible to this user" : "")</dd>
        <dt>Backend module</dt><dd>\(k?["backend"]?.stringValue ?? "none loaded")</dd>
        <dt>API version</dt><dd>\(k?["api_version"]?.scalarText ?? "unknown")</dd>
        <dt>Nested</dt><dd>module parameter: \(yesNo(k?["nested"]?["enabled"])) · offers VMX to guests: \(yesNo(k?["nested"]?["vmx"])) · offers SVM to guests: \(yesNo(k?["nested"]?["svm"]))</dd>
        </dl>
        \(guestRun(k?["guest_run"]))
        <h3>KVM capabilities</h3>
        \(caps.isEmpty ? "<p class=\"absent\">No KVM_CHECK_EXTENSION answers in this report.</p>" as Markup : "<table><thead><tr><th>Capability</th><th>Value</th></tr></thead><tbody>\(caps)</tbody></table>")
        </section>
        """
    }

    func guestRun(_ run: JSONValue?) -> Markup {
        guard let run, run != .null else {
            return "<h3>Test guest</h3><p class=\"absent\">No guest was run for this report (captured input, --no-guest, or no usable /dev/kvm): acceleration is not proven.</p>"
        }
        let rows: [Markup] = (run["runs"]?.arrayValue ?? []).map { m in
            let exits = (m["exits"]?.arrayValue ?? []).map { $0["reason"]?.stringValue ?? "?" }.joined(separator: ", ")
            return "<tr data-mode=\"\(m["mode"]?.stringValue ?? "")\"><td><code>\(m["mode"]?.stringValue ?? "")</code></td><td>\(yesNo(m["ok"], yes: "ran", no: "failed"))</td><td class=\"mono\">\(hex(m["expected"]))</td><td class=\"mono\">\(hex(m["observed"]))</td><td>\(exits)</td><td>\(m["detail"]?.stringValue ?? "")</td></tr>"
        }
        var bars: [LatencyChart.Bar] = []
        let latency = run["exit_latency_ns"]
        if let u = latency?["userspace"], let median = u["median"]?.doubleValue {
            bars.append(.init(label: "Exit to userspace", detail: "OUT → KVM_RUN returns", median: median, p10: u["p10"]?.doubleValue, p90: u["p90"]?.doubleValue, samples: Int(u["samples"]?.doubleValue ?? 0)))
        }
        if let k = latency?["in_kernel"], let median = k["median"]?.doubleValue {
            bars.append(.init(label: "Exit handled in kernel", detail: "CPUID, stays in the kernel", median: median, p10: k["p10"]?.doubleValue, p90: k["p90"]?.doubleValue, samples: Int(k["samples"]?.doubleValue ?? 0)))
        }
        let chart: Markup = bars.isEmpty ? "<p class=\"absent\">No exit latencies were measured.</p>" : "<h3>Exit latency (median, whisker p10–p90)</h3>\(LatencyChart(bars: bars).svg())"
        return """
        <h3>Test guest: \(run["ok"]?.boolValue == true ? "ran" : "failed")\(run["timed_out"]?.boolValue == true ? " (timed out)" : "")</h3>
        \(run["error"]?.stringValue.map { "<p class=\"fix\"><b>Error:</b> \($0)</p>" } ?? "")
        <table><thead><tr><th>Mode</th><th>Result</th><th>Expected</th><th>Returned</th><th>Exits</th><th>Detail</th></tr></thead><tbody>\(rows)</tbody></table>
        \(chart)
        """
    }

    func iommuAndPCI(_ r: JSONValue) -> Markup {
        let iommu = r["iommu"], pci = r["pci"]
        let iommuPart: Markup = iommu?.objectValue.map { o in
            "<h3>IOMMU</h3>\(tree(.object(o.filter { $0.key != "groups" })))"
        } ?? "<h3>IOMMU</h3><p class=\"absent\">IOMMU units and groups are not available in this report.</p>"
        guard let devices = pci?["devices"]?.arrayValue else {
            return "<section id=\"iommu\"><h2>IOMMU groups and device passthrough</h2>\(iommuPart)<h3>PCI devices</h3><p class=\"absent\">PCI devices and their passthrough status are not available in this report.</p></section>"
        }
        var groups: [String: [IOMMUGroupDiagram.Device]] = [:]
        let rows: [Markup] = devices.map { d in
            let address = d["address"]?.stringValue ?? "?"
            let status = d["passthrough"]?["status"]?.stringValue ?? "unknown"
            let name = d["name"]?.stringValue ?? "\(d["vendor_id"]?.scalarText ?? "?"):\(d["device_id"]?.scalarText ?? "?")"
            if let g = d["iommu_group"], g != .null { groups[g.scalarText ?? "?", default: []].append(.init(address: address, label: name, status: status)) }
            let reasons = d["passthrough"]?["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return """
            <tr data-device="\(address)" data-status="\(status)"><td class="mono">\(address)</td><td>\(name)</td><td class="mono">\(d["vendor_id"]?.scalarText ?? "")\(d["device_id"].map { ":\($0.scalarText ?? "")" } ?? "")</td><td>\(d["class"]?.scalarText ?? "")</td><td>\(d["iommu_group"].flatMap { $0 == .null ? nil : $0.scalarText } ?? "none")</td><td>\(d["driver"]?.stringValue ?? "none")</td><td>\(badge(status))\(reasons.isEmpty ? "" : "<ul>\(reasons.map { "<li>\($0)</li>" as Markup })</ul>" as Markup)</td></tr>
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

    func laterSection(_ r: JSONValue, key: String, title: String, anchor: String, about: String) -> Markup {
        guard let value = r[key], value != .null else {
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
        case .string(let s) where HTMLRenderer.statusOrder.contains(s):
            return badge(s)
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

    func yesNo(_ v: JSONValue?, yes: String = "yes", no: String = "no") -> Markup {
        switch v?.boolValue {
        case true?: "<span class=\"yesv\">\(yes)</span>"
        case false?: "<span class=\"nov\">\(no)</span>"
        case nil: "<span class=\"unk\">unknown</span>"
        }
    }

    func hex(_ v: JSONValue?) -> String {
        switch v {
        case .int(let i)?: "0x" + String(i, radix: 16)
        case .uint(let u)?: "0x" + String(u, radix: 16)
        default: "—"
        }
    }

    func badge(_ status: String?) -> Markup {
        let s = status ?? "unknown"
        return "<span class=\"badge st-\(HTMLRenderer.statusClass(s))\">\(s)</span>"
    }

    func paths(_ r: JSONValue) -> String {
        let p = r["source"]?["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return p.isEmpty ? "" : " (\(p.joined(separator: ", ")))"
    }

    static let statusOrder = ["fail", "warn", "unknown", "pass", "not-applicable"]

    static func severity(_ status: String?) -> Int { statusOrder.firstIndex(of: status ?? "") ?? statusOrder.count }

    /// The CSS class for a status: one of a fixed set, whatever the input says.
    static func statusClass(_ status: String) -> String { statusOrder.contains(status) ? status : "unknown" }
}
