import Emulator
import HostModel
import HostProbe

/// `verify --on-cpu`'s result: each SVM vector run as guest code against the model configured
/// from the guest's CPUID, and the vectors that could not be expressed as guest code.
public struct OnCPUReport: Codable, Sendable, Hashable {
    /// One vector that ran: the model's outcome on a CPU with the guest's capabilities, and the
    /// guest's. A disagreement is the L0 hypervisor's (or the CPU's) deviation from the APM row
    /// the vector cites — or a model defect, which the vector's own `verify` run would show.
    public struct Result: Codable, Sendable, Hashable {
        public var vector: String
        public var instruction: String
        public var citation: String
        public var file: String
        public var line: Int
        public var model: String
        /// The guest's outcome in the vectors' spelling; nil when the run said nothing.
        public var observed: String?
        public var detail: String
        /// The outcome and every compared `then` field agree.
        public var agrees: Bool
        /// The documented deviation of the backend that explains exactly this outcome, if any.
        public var knownDeviation: String?
        /// The vector's `then` settings compared with the state the guest left (when the outcomes agree).
        public var fields: [OnCPUThenState.Field]
        /// The `then` settings the harness cannot read back (L1's general registers, GIF, MSRs, ...).
        public var unobserved: [String]

        /// A disagreement no documented deviation explains: in the outcome, or in a field.
        public var unexplained: Bool {
            (model != observed && knownDeviation == nil) || fields.contains { !$0.agrees && $0.knownDeviation == nil }
        }
    }

    public struct NotExpressible: Codable, Sendable, Hashable {
        public var vector: String
        public var reason: String
    }

    public var backend: String?
    public var architecture: String
    /// The model configured from the guest's CPUID, in one line.
    public var guestModel: String
    public var results: [Result]
    public var notExpressible: [NotExpressible]

    public var run: Int { results.count }
    public var agree: Int { results.filter(\.agrees).count }
    public var disagree: Int { results.count - agree }
    /// Disagreements no documented deviation explains: these make the exit code 1.
    public var unexplained: Int { results.filter(\.unexplained).count }

    public init(backend: String?, architecture: String, guestModel: String, plans: [OnCPUSVMRun.Plan],
                reports: [String: SVMCaseReportSummary], guest: OnCPUSVMRun.GuestCapabilities) {
        self.init(backend: backend, architecture: architecture, guestModel: guestModel, plans: plans, reports: reports) { v, written in
            OnCPUSVMRun.modelRun(v, guest: guest).map { run in
                ModelRun(outcome: run.outcome) {
                    OnCPUThenState.compare(v, model: run.state, outcome: run.outcome, report: $0, written: written, backend: backend)
                }
            }
        }
    }

    /// What the model says of one vector on a CPU with the guest's capabilities: its outcome, and
    /// where the architecture's harness reads state back (SVM), how the `then` fields compare
    /// with a report whose outcome agrees (nil: every `then` setting is unobserved).
    public struct ModelRun {
        public var outcome: Outcome
        public var compare: ((SVMCaseReport) -> (fields: [OnCPUThenState.Field], unobserved: [String]))?

        public init(outcome: Outcome, compare: ((SVMCaseReport) -> (fields: [OnCPUThenState.Field], unobserved: [String]))? = nil) {
            self.outcome = outcome
            self.compare = compare
        }
    }

    /// The report of either architecture's run: `model` is what the model says of a vector and
    /// the case the plan wrote for it.
    public init<Case>(backend: String?, architecture: String, guestModel: String, plans: [OnCPUPlan<Case>],
                      reports: [String: SVMCaseReportSummary], model outcome: (ConformanceVector, Case) -> ModelRun?) {
        self.backend = backend
        self.architecture = architecture
        self.guestModel = guestModel
        var results: [Result] = []
        var skipped: [NotExpressible] = []
        for plan in plans {
            switch plan {
            case .notExpressible(let v, let reason):
                skipped.append(NotExpressible(vector: v.name, reason: reason))
            case .run(let v, let written):
                let run = outcome(v, written)
                let model = run?.outcome.description ?? "not run"
                let seen = reports[v.name]
                let sameOutcome = seen?.outcome == model
                let known = sameOutcome ? nil : seen?.outcome.flatMap { KnownDeviation.explaining(vector: v.name, observed: $0, backend: backend) }
                var fields: [OnCPUThenState.Field] = []
                var unobserved = v.then.map { String($0.text.prefix { $0 != "=" }) }
                if sameOutcome, let compare = run?.compare, let report = seen?.report {
                    (fields, unobserved) = compare(report)
                }
                results.append(Result(vector: v.name, instruction: v.instruction.rawValue, citation: v.citation, file: v.file, line: v.line,
                                      model: model, observed: seen?.outcome, detail: seen?.detail ?? "the guest run returned nothing for it",
                                      agrees: sameOutcome && fields.allSatisfy(\.agrees), knownDeviation: known.map { "\($0.explanation) (\($0.source))" },
                                      fields: fields, unobserved: unobserved))
            }
        }
        self.results = results
        notExpressible = skipped
    }

    private enum CodingKeys: String, CodingKey { case backend, architecture, guestModel, run, agree, disagree, unexplained, results, notExpressible }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(backend, forKey: .backend)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(guestModel, forKey: .guestModel)
        try c.encode(run, forKey: .run)
        try c.encode(agree, forKey: .agree)
        try c.encode(disagree, forKey: .disagree)
        try c.encode(unexplained, forKey: .unexplained)
        try c.encode(results, forKey: .results)
        try c.encode(notExpressible, forKey: .notExpressible)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        backend = try c.decodeIfPresent(String.self, forKey: .backend)
        architecture = try c.decode(String.self, forKey: .architecture)
        guestModel = try c.decode(String.self, forKey: .guestModel)
        results = try c.decode([Result].self, forKey: .results)
        notExpressible = try c.decode([NotExpressible].self, forKey: .notExpressible)
    }
}

extension OnCPUReport {
    /// An exception L1 took, in the vectors' spelling (SDM vol. 3 table 6-1).
    public static func faultName(_ fault: NestedRunEvidence.Fault) -> String {
        switch fault.vector {
        case 6: "#UD"
        case 13: "#GP(\(fault.errorCode))"
        case 12: "#SS(\(fault.errorCode))"
        case 14: "#PF"
        default: "exception \(fault.vector)"
        }
    }
}

/// A vector's fate in `verify --on-cpu`: run as this architecture's harness case, or not
/// expressible as guest code, and why.
public enum OnCPUPlan<Case: Sendable>: Sendable {
    case run(ConformanceVector, Case)
    case notExpressible(ConformanceVector, String)

    public var vector: ConformanceVector {
        switch self {
        case .run(let v, _), .notExpressible(let v, _): v
        }
    }
}

/// A case report as classified for one vector (`OnCPUSVMRun.observed`, `OnCPUVMXRun.observed`),
/// with the SVM report itself for the `then` comparison.
public struct SVMCaseReportSummary: Sendable, Hashable {
    public var outcome: String?
    public var detail: String
    public var report: SVMCaseReport?

    public init(outcome: String?, detail: String, report: SVMCaseReport? = nil) {
        self.outcome = outcome
        self.detail = detail
        self.report = report
    }
}
