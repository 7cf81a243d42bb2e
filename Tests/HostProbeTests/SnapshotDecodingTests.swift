import Foundation
import HostModel
@testable import HostProbe
import Testing

/// `SnapshotCoding.decode` (JSONReader and JSONTreeDecoder, issue 16) reads every stored snapshot
/// to the same value as Foundation's JSONDecoder with `.convertFromSnakeCase`, which read them
/// before, refuses what that refused, and names a bad key in the same one line.
@Suite struct SnapshotDecodingTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// Every snapshot the repository holds: the real captures of Data/hosts and the hostile one.
    static let snapshots: [String] = {
        let hosts = repo.appendingPathComponent("Data/hosts")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: hosts.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { hosts.appendingPathComponent($0).path }
            + [repo.appendingPathComponent("Tests/CLITests/Fixtures/hostile-snapshot.json").path]
    }()

    static func foundation() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    @Test func theSnapshotsAreFound() {
        #expect(Self.snapshots.count >= 5)
    }

    @Test(arguments: snapshots)
    func decodesAsJSONDecoderDid(_ path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let reference = try Self.foundation().decode(Snapshot.self, from: data)
        let decoded = try SnapshotCoding.decode(Snapshot.self, from: data)
        #expect(decoded == reference)
        // And what virtcheck writes back reads back to the same value.
        #expect(try SnapshotCoding.decode(Snapshot.self, from: SnapshotCoding.encoder().encode(decoded)) == decoded)
    }

    /// Every key a keyed container of JSONDecoder lists (converted), with its value.
    struct ConvertedKeys: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        var members: [String: Int] = [:]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys { members[key.stringValue] = try c.decode(Int.self, forKey: key) }
        }
    }

    /// Every key of every snapshot, and the awkward spellings, convert as Foundation converts
    /// them (the keys its keyed container lists).
    @Test func keysConvertAsFoundationConvertsThem() throws {
        var keys: Set<String> = ["ept_5level", "_leading", "trailing_", "__both__", "a__b", "x86_64", "one", "",
                                 "_", "already_camelCase", "mixed_CASE_word", "a_1b_2c", "UPPER_CASE"]
        for path in Self.snapshots {
            let tree = try JSONReader.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
            collectKeys(tree, into: &keys)
        }
        let object = "{" + keys.sorted().enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ",") + "}"
        let reference = try Self.foundation().decode(ConvertedKeys.self, from: Data(object.utf8)).members
        let ours = try #require(try JSONReader.parse(Data(object.utf8), keys: SnapshotCoding.convertFromSnakeCase).objectValue)
        #expect(Set(ours.keys) == Set(reference.keys))
        for (key, value) in reference { #expect(ours[key] == .int(Int64(value)), "\(key)") }
    }

    private func collectKeys(_ value: JSONValue, into keys: inout Set<String>) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                keys.insert(key)
                collectKeys(member, into: &keys)
            }
        case .array(let items): for item in items { collectKeys(item, into: &keys) }
        case .null, .bool, .int, .uint, .double, .string: break
        }
    }

    /// Not JSON, for this reader; Foundation's refused them too except a trailing comma and a
    /// duplicate key (the second value silently won), which it let through.
    @Test(arguments: [
        "", "{", "{}x", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]",
        "[\"\\ud800\"]", "[\"\\udc00x\"]", "[\"\\x\"]", "[\"\u{01}\"]", "[\"abc", "[tru]", "[nul]", "[1e999]", "// c\n{}",
        "{\"a\":1,\"a\":2}",
    ])
    func malformedJSONIsRefused(_ text: String) {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Data(text.utf8)) }
        if !["{\"a\":1,}", "[1,]", "{\"a\":1,\"a\":2}"].contains(text) {
            #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) }
        }
    }

    @Test func valuesReadAsJSONSerializationReadsThem() throws {
        let text = #"{"s": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "i": -42, "u": 18446744073709551615, "d": 1.5e3, "z": -0.25, "b": [true, false, null], "e": {}, "a": []}"#
        let value = try JSONReader.parse(Data("\u{FEFF}".utf8) + Data(text.utf8))
        #expect(value == .object([
            "s": .string("a\"b\\c/d\n\té😀"), "i": .int(-42), "u": .uint(UInt64.max), "d": .double(1500), "z": .double(-0.25),
            "b": .array([.bool(true), .bool(false), .null]), "e": .object([:]), "a": .array([]),
        ]))
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: InputLimits.maxNestingDepth + 1) + String(repeating: "]", count: InputLimits.maxNestingDepth + 1)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Data(deep.utf8)) }
        let fits = String(repeating: "[", count: InputLimits.maxNestingDepth) + String(repeating: "]", count: InputLimits.maxNestingDepth)
        #expect((try? JSONReader.parse(Data(fits.utf8))) != nil)
    }

    /// The one-line messages for a snapshot with a bad key, as JSONDecoder's errors gave them
    /// (`virtcheck check --from` of main before issue 16), except a fraction where an integer
    /// belongs, which JSONDecoder called malformed JSON and is now named by its key.
    @Test(arguments: [
        (#"{"snapshot_version": 1}"#, "x.json: not a virtcheck snapshot: missing key `tool` at top level"),
        (#"{"snapshot_version": "1"}"#, "x.json: not a virtcheck snapshot: wrong type at snapshot_version"),
        (#"{"snapshot_version": null}"#, "x.json: not a virtcheck snapshot: wrong type at snapshot_version"),
        (#"{"snapshot_version": 1.5}"#, "x.json: not a virtcheck snapshot: bad value at snapshot_version"),
        (#"{"snapshot_version": 1, "#, "x.json: not a virtcheck snapshot: malformed or truncated JSON"),
        ("[1]", "x.json: not a virtcheck snapshot: wrong type at top level"),
        (#"{"snapshot_version": 1e0}"#, "x.json: not a virtcheck snapshot: missing key `tool` at top level"),
        // Two values for one key: JSONDecoder took the last; ambiguous evidence is refused.
        (#"{"snapshot_version": 1, "snapshot_version": 1}"#, "x.json: not a virtcheck snapshot: malformed or truncated JSON"),
    ])
    func badSnapshotsGiveOneLine(_ text: String, _ message: String) {
        #expect(throws: InputError.self) { try OfflineLoader.decodeSnapshot(text, path: "x.json") }
        do {
            _ = try OfflineLoader.decodeSnapshot(text, path: "x.json")
        } catch {
            #expect(error.description == message)
        }
    }

    /// A file's kind is recognised from its first 4 KiB, cut at a scalar boundary, whatever
    /// the characters (counted in bytes since issue 16).
    @Test(arguments: ["a", "é", "😀", "e\u{301}"])
    func theHeadEndsAtAScalarBoundary(_ unit: String) {
        let text = String(repeating: unit, count: 5000)
        let head = OfflineLoader.head(of: text)
        #expect(head.utf8.count <= OfflineLoader.headBytes && head.utf8.count > OfflineLoader.headBytes - 4)
        #expect(text.utf8.starts(with: head.utf8)) // may end inside a grapheme (e, then its accent)
        #expect(OfflineLoader.head(of: "short") == "short")
    }

    /// A CPUID leaf is read straight from the tree when it is well formed (`CPUIDLeaf(tree:)`);
    /// any other leaf goes through the keyed container, whose errors name what is wrong.
    @Test(arguments: [
        (#""eax" : "0x00000004""#, #""eax" : "0xZZ""#, "bad value at cpuid.cpus[0].leaves[6].eax"),
        (#""eax" : "0x00000004","#, "", "missing key `eax` at cpuid.cpus[0].leaves[6]"),
        (#""leaf" : "0x00000006""#, #""leaf" : 6"#, "wrong type at cpuid.cpus[0].leaves[6].leaf"),
        (#""eax" : "0x00000004""#, #""eax" : "0x100000000""#, "bad value at cpuid.cpus[0].leaves[6].eax"),
    ])
    func aMalformedCPUIDLeafIsNamed(_ original: String, _ replacement: String, _ place: String) throws {
        let path = try #require(Self.snapshots.first { $0.contains("workplace") })
        var text = try String(contentsOfFile: path, encoding: .utf8)
        // Leaf 6 of CPU 0 (EAX 0x00000004) in the workplace capture.
        let leaf = try #require(text.range(of: #""eax" : "0x00000004","#))
        let object = try #require(text[..<leaf.lowerBound].range(of: "{", options: .backwards))
        let end = try #require(text[leaf.lowerBound...].range(of: "}"))
        let fixed = text[object.lowerBound..<end.upperBound].replacingOccurrences(of: original, with: replacement)
        text.replaceSubrange(object.lowerBound..<end.upperBound, with: fixed)
        #expect(throws: InputError.self) { try OfflineLoader.decodeSnapshot(text, path: "x.json") }
        do {
            _ = try OfflineLoader.decodeSnapshot(text, path: "x.json")
        } catch {
            #expect(error.description == "x.json: not a virtcheck snapshot: " + place)
        }
    }

    @Test func aBadValueDeepInsideIsNamedByItsPath() throws {
        let path = try #require(Self.snapshots.first { $0.contains("workplace") })
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let range = try #require(text.range(of: "\"eax\" : \""))
        text.replaceSubrange(range, with: "\"eax\" : 7, \"x\" : \"")
        #expect(throws: InputError.self) { try OfflineLoader.decodeSnapshot(text, path: "x.json") }
        do {
            _ = try OfflineLoader.decodeSnapshot(text, path: "x.json")
        } catch {
            #expect(error.description.hasPrefix("x.json: not a virtcheck snapshot: wrong type at cpuid."))
            #expect(error.description.hasSuffix(".eax"))
        }
    }
}
