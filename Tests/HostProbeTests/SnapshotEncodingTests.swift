import Analysis
import Foundation
import HostModel
import HostProbe
import Testing

/// `SnapshotCoding.encode` (JSONTreeEncoder under the snapshot conventions, issue 16) writes
/// every snapshot byte for byte as Foundation's JSONEncoder (`SnapshotCoding.encoder()`) wrote it,
/// with C1 and bidi controls escaped besides: the stored captures, the hostile one, a live capture
/// of the machine the tests run on, and a value made of every awkward case.
@Suite struct SnapshotEncodingTests {
    /// What `capture` wrote before: JSONEncoder's text, then each DEL, C1 and bidi control (which
    /// JSONEncoder leaves raw) as `\uxxxx`.
    static func reference(_ value: some Encodable) throws -> String {
        let text = String(decoding: try SnapshotCoding.encoder().encode(value), as: UTF8.self)
        var out = ""
        for scalar in text.unicodeScalars {
            if InputText.isInert(scalar) && scalar.value >= 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    @Test(arguments: SnapshotDecodingTests.snapshots)
    func writesEveryStoredSnapshotAsJSONEncoderDid(_ path: String) throws {
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try SnapshotCoding.encode(snapshot) == Self.reference(snapshot))
    }

    /// A Data/hosts capture is JSONEncoder's own text: `capture` on it writes the file back unchanged.
    @Test func writesTheWorkplaceCaptureBackUnchanged() throws {
        let path = SnapshotDecodingTests.repo.appendingPathComponent("Data/hosts/workplace-amd-epyc-kvm-pvm.json").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: Array(text.utf8))
        #expect(try SnapshotCoding.encode(snapshot) + "\n" == text)
    }

    @Test func writesALiveCaptureAsJSONEncoderDoes() throws {
        let snapshot = LiveProbe.snapshot(root: .live, options: .init(runGuest: false, plan: RuleCatalogue.builtIn.evidencePlan))
        #expect(try SnapshotCoding.encode(snapshot) == Self.reference(snapshot))
    }

    /// Every case where JSONEncoder's layout differs from the report's: absent optionals, empty
    /// containers, dictionary keys (kept as they are), numbers, escapes and key order.
    struct Awkward: Codable {
        var absent: Int?
        var present: String?
        var emptyList: [Int] = []
        var emptyObject: [String: Int] = [:]
        var nested: [[String: [Int]]] = [[:], ["a": []]]
        var dictionaryKeys: [String: Int] = ["UPPER_Case": 1, "camelCase": 2, "b": 3, "a_b": 4, "a10": 5, "a2": 6, "é": 7, "e\u{301}x": 8, "Z": 9]
        var integerKeys: [Int: String] = [10: "ten", 2: "two", -1: "minus one"]
        var doubles: [Double] = [0, -0.0, 1200, 0.1, 1e15, 1e16, 123_456_789.125, 5e-324, -2.5, Double.greatestFiniteMagnitude]
        var integers: [Int64] = [.min, -1, 0, .max]
        var unsigned: UInt64 = .max
        var strings: [String] = [
            "slash / and \"quote\" and back\\slash", "\u{8}\u{c}\n\r\t\u{0}\u{1f}", "del \u{7f} c1 \u{85}\u{9b}",
            "bidi \u{202e}\u{2066}\u{200f} line sep \u{2028}", "non-ASCII é ü 日本 🙂", "",
        ]
        var camelCaseURLKey = true
        var flag: Bool?
    }

    @Test func writesEveryAwkwardCaseAsJSONEncoderDoes() throws {
        var value = Awkward()
        value.present = "here"
        #expect(try SnapshotCoding.encode(value) == Self.reference(value))
        #expect(try SnapshotCoding.encode(value.nested) == Self.reference(value.nested))
        #expect(try SnapshotCoding.encode([Awkward]()) == Self.reference([Awkward]()))
    }

    @Test func refusesWhatJSONEncoderRefuses() {
        #expect(throws: EncodingError.self) { try SnapshotCoding.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try SnapshotCoding.encode(["x": Double.infinity]) }
    }
}
