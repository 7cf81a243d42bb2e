import Foundation
import HostModel
import Reporting
import Testing

/// The report's JSON conventions, in-process: explicit nulls, snake_case keys, escaping that
/// survives control characters, numbers that read back as written.
struct ReportEncoderTests {
    @Test func absentOptionalsAreExplicitNulls() throws {
        let finding = Finding(id: "cpu.vmx", status: .unknown, title: "t", summary: "s", evidence: [])
        let tree = try ReportEncoder.encode(finding)
        #expect(tree["subject"] == .null)
        #expect(tree["remediation"] == .null)
        let facts = try ReportEncoder.encode(HypervisorFacts(present: false))
        #expect(facts["max_leaf"] == .null, "camelCase keys become snake_case")
    }

    @Test func serializedTextParsesBackToTheSameValues() throws {
        let hostile = "<script>\"quoted\"\\ \u{1B}[31m\u{0}\u{7F}\u{2028}\ttab\nline é 😀"
        let value = JSONValue.object([
            "s": .string(hostile), "i": .int(-3), "u": .uint(UInt64.max), "d": .double(2140.5), "whole": .double(610),
            "n": .null, "b": .bool(true), "a": .array([.int(1), .object([:])]),
        ])
        let text = value.serialized()
        #expect(!text.contains("\u{1B}") && !text.contains("\u{0}"), "control characters are escaped")
        let back = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(back["s"] as? String == hostile)
        #expect((back["d"] as? NSNumber)?.doubleValue == 2140.5)
        #expect(text.contains("\"whole\": 610\n") || text.contains("\"whole\": 610,"), "integral doubles print without a fraction")
        #expect(text.contains("18446744073709551615"), "UInt64 values are exact")
        #expect(back["n"] is NSNull)
    }

    @Test func keysAreSortedSoTheTextIsStable() throws {
        let text = JSONValue.object(["b": .int(1), "a": .int(2), "c": .object(["z": .null, "y": .null])]).serialized()
        #expect(text == "{\n  \"a\": 2,\n  \"b\": 1,\n  \"c\": {\n    \"y\": null,\n    \"z\": null\n  }\n}")
    }

    @Test(arguments: [("exitLatencyNs", "exit_latency_ns"), ("ept5level", "ept5level"), ("myURLKey", "my_url_key"), ("p10", "p10"), ("sevEs", "sev_es")])
    func snakeCaseMatchesFoundation(_ key: String, _ expected: String) throws {
        struct Probe: Encodable {
            var key: String
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: AnyKey.self)
                try c.encode(1, forKey: AnyKey(stringValue: key))
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let mine = try ReportEncoder.encode(Probe(key: key)).objectValue?.keys.first
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let foundation = try (JSONSerialization.jsonObject(with: encoder.encode(Probe(key: key))) as? [String: Any])?.keys.first
        #expect(mine == expected)
        #expect(mine == foundation)
    }

    @Test func markupEscapesInterpolatedStringsOnly() {
        let brand = "<script>alert(1)</script>\"' & \u{1B}"
        let m: Markup = "<td title=\"\(brand)\">\(brand)</td>"
        #expect(m.html == "<td title=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; &amp; \u{FFFD}\">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; &amp; \u{FFFD}</td>")
        let long = String(repeating: "A", count: Markup.textLimit + 10)
        #expect(Markup.escape(long).hasSuffix("… (10 more characters)"))
    }
}
