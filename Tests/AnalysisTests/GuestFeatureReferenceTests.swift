import Analysis
import Foundation
import Testing

/// The capabilities `diff` and `baseline` read, held against an independent decoder: Todd
/// Allen's `cpuid -f` (Debian package cpuid, installed by scripts/test) over the same dumps.
/// Each row of Tests/Fixtures/cpuid-f-labels.tsv pairs a catalogue name with the line cpuid
/// prints for that bit; scripts/compare-guest-features runs the same check over a whole corpus.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cpuid"), "cpuid is not installed (scripts/ensure-deps cpuid)"))
struct GuestFeatureReferenceTests {
    /// Tests/Fixtures/cpuid-f-labels.tsv: (catalogue name, cpuid -f label).
    static let labels: [(String, String)] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/cpuid-f-labels.tsv")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "\t")
            return line.hasPrefix("#") || cells.count != 2 || cells[0] == "name" ? nil : (String(cells[0]), String(cells[1]))
        }
    }()

    /// `label = true|false` lines of `cpuid -f FILE`, first occurrence of each label.
    static func reference(_ file: String) throws -> [String: Bool] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/cpuid")
        p.arguments = ["-f", file]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var bits: [String: Bool] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.range(of: " = ") else { continue }
            let key = line[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = line[eq.upperBound...].trimmingCharacters(in: .whitespaces)
            if bits[key] == nil, value == "true" || value == "false" { bits[key] = value == "true" }
        }
        return bits
    }

    @Test(arguments: [FleetFixtures.sapphireRapids, FleetFixtures.cascadeLake, FleetFixtures.zen4, FleetFixtures.zen3])
    func agreesWithCpuidF(_ name: String) throws {
        let reference = try Self.reference(FleetFixtures.path(name))
        let host = try FleetFixtures.host(name)
        #expect(Self.labels.count > 60)
        var compared = 0
        for (capability, label) in Self.labels {
            guard let expected = reference[label] else { continue }
            let i = try #require(GuestCapability.indexByName[capability])
            #expect(host.known.contains(i), "\(capability) is known from a dump")
            #expect(host.present.contains(i) == expected, "\(name): \(capability) (cpuid -f: \(label) = \(expected))")
            compared += 1
        }
        #expect(compared >= 40, "cpuid -f printed too few of the labels to compare (\(compared))")
    }
}
