import ArgumentParser
import Testing
@testable import VirtCheckCLI

/// `CommonCommandLine` reads the common `check` and `capture` command lines without
/// ArgumentParser; the contract is ArgumentParser's reading. So every command line it reads must
/// be read by ArgumentParser (`RootCommand.parseAsRoot`, as `virtcheck` runs it) to the same
/// request, and the ones whose help, message or exit code is ArgumentParser's must be left to it.
struct CommonCommandLineTests {
    /// What ArgumentParser makes of a command line: the request of the command it parses to, nil
    /// when it refuses the line or parses to another command.
    static func argumentParser(_ arguments: [String]) -> CommonCommandLine.Command? {
        guard let command = try? RootCommand.parseAsRoot(arguments) else { return nil }
        if let check = command as? CheckCommand { return .check(check.request) }
        if let capture = command as? CaptureCommand { return .capture(capture.request) }
        return nil
    }

    @Test func theBenchmarkedAndDocumentedLinesAreReadAsArgumentParserReadsThem() {
        let lines: [[String]] = [
            [],
            ["check"],
            ["check", "--format", "json", "--output", "report.json"],
            ["check", "--from", "Data/hosts/a.json", "--format", "json", "--output", "f.json"],
            ["check", "--from", "cpuid-dump.txt"],
            ["check", "--from", "capture.json", "--profile", "kvm", "--profile", "nested"],
            ["check", "--policy", "ci-policy.yaml", "--strict"],
            ["check", "--format", "nfd", "--output", "/etc/kubernetes/node-feature-discovery/features.d/virtcheck"],
            ["check", "--root", "tree", "--quiet", "--no-guest", "--load-msr-driver"],
            ["capture", "--no-guest", "--output", "c.json"],
            ["capture", "--output", "host.json"],
            ["capture", "--from", "a", "--from", "b"],
        ]
        for line in lines {
            let common = CommonCommandLine.parse(line)
            #expect(common != nil, "\(line) is read without ArgumentParser")
            #expect(common == Self.argumentParser(line), "\(line)")
        }
    }

    /// Lines whose answer is ArgumentParser's (help, version, its messages and exit 64) or that
    /// its syntax reads in ways a plain reading could miss.
    @Test func linesWithArgumentParsersOwnAnswersAreLeftToIt() {
        let lines: [[String]] = [
            ["--help"], ["-h"], ["help"], ["help", "check"], ["--version"], ["check", "--help"], ["check", "-h"],
            ["check", "help"], ["capture", "--help"], ["--format", "json"], ["explain", "--list"],
            ["check", "--format=json"], ["check", "--format", "xml"], ["check", "--format"], ["check", "--form", "json"],
            ["check", "--format", "json", "--format", "text"], ["check", "--strict", "--strict"],
            ["check", "--output", "-"], ["check", "--output", "--quiet"], ["check", "--output", ""],
            ["check", "--output", "help"], ["check", "--from", "a", "--root", "b"], ["check", "--profile", "nosuch"],
            ["check", "--", "--from"], ["check", "extra"], ["capture", "--format", "json"], ["capture", "--strict"],
            ["check", "--generate-completion-script", "bash"], ["---completion", "--", "check"],
            ["check", "-q"], ["__guest-run"],
        ]
        for line in lines {
            #expect(CommonCommandLine.parse(line) == nil, "\(line) goes through ArgumentParser")
        }
    }

    /// Hundreds of command lines of one to four options, their values drawn from words that look
    /// like formats, profiles, paths, names, subcommands, help or nothing, sometimes with a stray
    /// word: each one read without ArgumentParser is read the same by it.
    @Test func everyLineReadIsReadTheSameByArgumentParser() {
        let names = ["--from", "--root", "--profile", "--policy", "--strict", "--format", "--output", "--quiet",
                     "--no-guest", "--load-msr-driver", "--format=json", "--", "-x", "extra"]
        let flags: Set = ["--strict", "--quiet", "--no-guest", "--load-msr-driver", "--format=json", "--", "-x", "extra"]
        let values = ["json", "text", "junit", "xml", "kvm", "vm-host", "nested", "nosuch", "a.json", "dir", "a=b",
                      "check", "capture", "help", "-x", "-", "", "--quiet"]
        var lines = 0, read = 0
        for n in 0..<900 {
            // Knuth's MMIX linear congruential step, seeded with the line's number: the same lines
            // on every run, so a failure recurs.
            var state = UInt64(n)
            func draw(_ count: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(count))
            }
            var line = [draw(2) == 0 ? "check" : "capture"]
            for _ in 0...draw(4) {
                let name = names[draw(names.count) % (draw(4) == 0 ? names.count : 10)]
                line.append(name)
                if !flags.contains(name) { line.append(values[draw(values.count) % (draw(3) == 0 ? values.count : 10)]) }
            }
            lines += 1
            guard let common = CommonCommandLine.parse(line) else { continue }
            read += 1
            #expect(common == Self.argumentParser(line), "\(line)")
        }
        // Not vacuous: a good share of the lines is read without ArgumentParser.
        #expect(read > lines / 10, "\(read) of \(lines) lines read")
    }
}
