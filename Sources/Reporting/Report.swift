import Analysis
import HostModel

/// The report, schema_version 1: the JSON contract users and CI read (DESIGN.md "Report JSON").
/// Built from an assessment; every other format renders from the same value, so they agree.
public struct Report: Encodable, Sendable {
    public static let schemaVersion = 1

    public struct Host: Encodable, Sendable {
        public var vendor: String?
        public var family: Int?
        public var model: Int?
        public var stepping: Int?
        public var brand: String?
        public var logicalCpus: Int?
        public var hypervisor: HypervisorFacts
        public var kernel: String?
        public var root: Bool?
    }

    public struct CPU: Encodable, Sendable {
        public var features: [String: Bool]
        public var kernelFlags: [String]?
        public var vmx: VMXFacts?
        public var svm: SVMFacts?
        public var sev: SEVFacts?
        public var differences: [String]

        private enum CodingKeys: String, CodingKey { case features, kernelFlags, vmx, svm, sev, tdx, differences }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(features, forKey: .features)
            try c.encode(kernelFlags, forKey: .kernelFlags)
            try c.encode(vmx, forKey: .vmx)
            try c.encode(svm, forKey: .svm)
            try c.encode(sev, forKey: .sev)
            try c.encodeNil(forKey: .tdx)
            try c.encode(differences, forKey: .differences)
        }
    }

    /// `kvm.guest_run` as DESIGN.md lays it out: the modes that ran, every exit, latencies.
    public struct GuestRun: Encodable, Sendable {
        public struct Exit: Encodable, Sendable {
            public var mode: String
            public var exit: GuestExit

            public func encode(to encoder: any Encoder) throws {
                try exit.encode(to: encoder)
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(mode, forKey: Key(stringValue: "mode")!)
            }

            private struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init?(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
        }

        public var ok: Bool
        public var modes: [String]
        public var exits: [Exit]
        public var runs: [GuestModeRun]
        public var exitLatencyNs: GuestRunEvidence.ExitLatency?
        public var timedOut: Bool
        public var error: String?
        /// Non-null when the run failed for virtcheck's own reasons (`GuestRunEvidence.ownLimit`):
        /// `ok` false then says nothing about the host.
        public var ownLimit: String?
        /// The nested guest's run (`GuestRunEvidence.nested`), where KVM offers SVM; null where not tried.
        public var nestedRun: NestedRunEvidence?
        /// The 32-bit (legacy-mode) L1s' runs after it (`GuestRunEvidence.nested32`); null where not tried.
        public var legacyModeNestedRuns: [NestedRunEvidence]?

        init(_ run: GuestRunEvidence) {
            nestedRun = run.nested
            legacyModeNestedRuns = run.nested32
            ok = run.ok
            modes = run.runs.filter(\.ok).map(\.mode)
            exits = run.runs.flatMap { r in r.exits.map { Exit(mode: r.mode, exit: $0) } }
            runs = run.runs
            exitLatencyNs = run.exitLatencyNs
            timedOut = run.timedOut
            error = run.error
            ownLimit = run.ownLimit
        }
    }

    public struct KVM: Encodable, Sendable {
        public var device: KVMFacts.Device
        public var apiVersion: Int?
        public var backend: String?
        public var nested: KVMFacts.Nested
        public var capabilities: [String: Int]
        public var guestRun: GuestRun?

        private enum CodingKeys: String, CodingKey { case device, apiVersion, backend, nested, capabilities, guestRun }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(device, forKey: .device)
            try c.encode(apiVersion, forKey: .apiVersion)
            try c.encode(backend, forKey: .backend)
            try c.encode(nested, forKey: .nested)
            try c.encode(capabilities, forKey: .capabilities)
            try c.encode(guestRun, forKey: .guestRun)
        }
    }

    public var schemaVersion = Report.schemaVersion
    public var tool = ToolInfo()
    public var source: SourceInfo
    public var host: Host
    public var cpu: CPU
    public var kvm: KVM
    public var iommu: IOMMUFacts
    public var pci: PCIFacts
    public var verdict: Verdict
    public var findings: [Finding]
    public var profiles: [ProfileResult]
    /// Popek and Goldberg's condition on this host (`popek_goldberg`).
    public var popekGoldberg: PopekGoldbergAnalysis?
    /// The VMX/SVM model configured from the checked CPU (`Emulator.HostCapabilityModel`), already in report form.
    public var emulator: JSONValue?
    /// What this run required and the exit code it gives, so every format gates as the exit code does.
    public var gate: GateDecision

    /// `gate`: the run's required checks; by default those of a plain `check` (profile vm-host).
    public init(_ a: Assessment, gate: GateDecision? = nil) {
        let f = a.facts
        source = a.source
        host = Host(vendor: f.identity.vendor, family: f.identity.family, model: f.identity.model, stepping: f.identity.stepping,
                    brand: f.identity.brand, logicalCpus: f.identity.logicalCpus, hypervisor: f.hypervisor,
                    kernel: f.kernelRelease, root: f.root)
        cpu = CPU(features: f.features, kernelFlags: f.kernelFlags, vmx: f.vmx, svm: f.svm, sev: f.sev, differences: f.cpuDifferences)
        kvm = KVM(device: f.kvm.device, apiVersion: f.kvm.apiVersion, backend: f.kvm.backend, nested: f.kvm.nested,
                  capabilities: f.kvm.capabilities, guestRun: f.kvm.guestRun.map(GuestRun.init))
        iommu = f.iommu
        pci = f.pci
        verdict = a.verdict
        findings = a.findings
        profiles = a.profiles
        popekGoldberg = a.popekGoldberg
        self.gate = gate ?? GateDecision(a, profiles: [])
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, tool, source, host, cpu, kvm, iommu, pci, verdict, findings, profiles, popekGoldberg, emulator, gate
    }

    /// Sections the analysis does not produce yet are written as `null`, so the report's shape is
    /// already the final one and consumers can test for them (the schema allows null or an object).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(tool, forKey: .tool)
        try c.encode(source, forKey: .source)
        try c.encode(host, forKey: .host)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(kvm, forKey: .kvm)
        try c.encode(iommu, forKey: .iommu)
        try c.encode(pci, forKey: .pci)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(findings, forKey: .findings)
        try c.encode(profiles, forKey: .profiles)
        try c.encode(popekGoldberg, forKey: .popekGoldberg)
        try c.encode(emulator, forKey: .emulator)
        try c.encode(gate, forKey: .gate)
    }
}
