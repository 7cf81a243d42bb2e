import Analysis
import Emulator
import ArgumentParser
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting

/// `virtcheck check`'s work, from plain values: `CheckCommand` fills them from ArgumentParser,
/// `CommonCommandLine` from the common command lines without it (issue 16: ArgumentParser's parse
/// was a fifth of a `check --from`).
struct CheckRequest: Equatable, Sendable {
    var input = HostInput()
    var profiles: [String] = []
    var policy: String?
    var strict = false
    var format: OutputFormat = .text
    var output: String?
    var quiet = false

    /// The unknown profile ids, which `CheckCommand.validate` refuses.
    var unknownProfiles: [String] {
        let known = ProfileEvaluator.profiles.map(\.id)
        return profiles.filter { !known.contains($0) }
    }

    /// What a finished check leaves: its exit code, and the values it made, which `Entry` keeps
    /// until the process ends: freeing the snapshot, its assessment and the report (thousands of
    /// objects) cost a `check --from` that ends at once anyway 0.3 ms (issue 16).
    struct Outcome {
        var exitCode: Int32
        var made: (Snapshot, Assessment, Report)
    }

    /// Runs the check and writes the report; bad input and failed writes are thrown as before.
    func run() throws -> Outcome {
        let snapshot: Snapshot
        let gate: Policy
        // The assessment's tables are decoded beside the probe or the snapshot's parsing; nothing
        // waits for this thread (a table it has not finished is finished by whoever reads it).
        _ = BackgroundRun(timeoutNanoseconds: 0, overstayed: {}) { Assessor.prepareTables() }
        do {
            gate = try loadPolicy()
            snapshot = try input.snapshot()
        } catch let error as CLIError {
            throw error.exit()
        }
        Progress.clear()
        let assessment = Assessor.assess(snapshot, policy: gate)
        let decision = GateDecision(assessment, profiles: profiles, policy: gate, strict: strict)
        var report = Report(assessment, gate: decision)
        // The VMX/SVM model configured from this host's own capabilities (its VMX MSRs or SVM
        // CPUID); the reference CPU's self-test against the vectors is `virtcheck verify`'s.
        report.emulator = try? ReportEncoder.encode(HostCapabilityModel.of(snapshot))
        // SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes the run time that JUnit,
        // Prometheus and NFD print, so regenerated example reports do not differ by the clock.
        // Looked up alone: `ProcessInfo.environment` copied the whole environment into a
        // dictionary first (1 % of a `check --from`; callgrind, issue 16).
        let now = getenv("SOURCE_DATE_EPOCH").map { String(cString: $0) }.flatMap(TimeInterval.init)
            .map(Date.init(timeIntervalSince1970:)) ?? Date()
        let options = ReportFormat.Options(now: now, color: output == nil && isatty(STDOUT_FILENO) == 1, quiet: quiet)
        try Emit.write(try format.renderer(options).render(report), to: output)
        return Outcome(exitCode: decision.exitCode, made: (snapshot, assessment, report))
    }

    /// The --policy file, validated; an unreadable or invalid one is unusable input (exit 2).
    func loadPolicy() throws(CLIError) -> Policy {
        guard let policy else { return Policy() }
        let text: String
        do {
            text = try InputFile.readText(policy, limit: PolicyParser.maxFileSize)
        } catch {
            throw CLIError.input(error.description)
        }
        do {
            return try PolicyParser.parse(text)
        } catch {
            throw CLIError.input("\(policy): \(error.description)")
        }
    }
}
