import HostModel
import Testing

/// `JSONTreeEncoder.serialized` writes the encoder's nodes without making a `JSONValue` (issue
/// 16), and `serializedObject` copies members written apart (the JSON report's other thread) into
/// their sorted places: each must give the text of the value encoded as a tree and serialized
/// (`JSONValue.serialized()`), whatever the keys, the nesting and wherever the written members sort.
struct JSONTreeSerializationTests {
    static let nested: JSONValue = .object(["b": .array([.int(-1), .uint(2), .double(0.5), .null]),
                                            "a": .object(["z": .string("tab\there \"q\" é"), "y": .array([])]),
                                            "c": .object([:])])

    /// `members` with `written`'s keys serialized apart, against the object that holds both.
    static func agrees(_ members: [String: JSONValue], _ written: [String: JSONValue]) throws -> Bool {
        let whole = JSONValue.object(members.merging(written) { _, apart in apart }).serialized()
        let apart = try written.mapValues { try JSONTreeEncoder.serialized($0, conventions: .report, indent: 1) }
        let bytes = try #require(try JSONTreeEncoder.serializedObject(JSONValue.object(members), conventions: .report, written: { apart }))
        return String(decoding: bytes, as: UTF8.self) == whole
    }

    @Test func writtenMembersTakeTheirSortedPlaces() throws {
        let members: [String: JSONValue] = ["alpha": .int(1), "mid": Self.nested, "zulu": .bool(true), "é": .string("x")]
        #expect(try Self.agrees(members, ["beta": Self.nested, "omega": .string("last")]))
        #expect(try Self.agrees(members, ["aaa": .null]))
        #expect(try Self.agrees(members, ["zzz": .array([Self.nested, Self.nested])]))
        #expect(try Self.agrees([:], ["only": Self.nested]))
        #expect(try Self.agrees(members, [:]))
    }

    /// A key in both is the written one's, as the renderer's placeholders (`findings: []`) are.
    @Test func aWrittenMemberReplacesItsPlaceholder() throws {
        #expect(try Self.agrees(["findings": .array([]), "popek_goldberg": .null, "tool": .string("virtcheck")],
                                ["findings": .array([Self.nested]), "popek_goldberg": Self.nested]))
    }

    @Test func nothingAtAllIsAnEmptyObject() throws {
        let bytes = try #require(try JSONTreeEncoder.serializedObject(JSONValue.object([:]), conventions: .report, written: { [:] }))
        #expect(String(decoding: bytes, as: UTF8.self) == JSONValue.object([:]).serialized())
    }

    /// Not an object, or nothing written (the other thread gave up): nil, and the renderer
    /// encodes the report whole.
    @Test func notAnObjectOrNothingWrittenIsNil() throws {
        #expect(try JSONTreeEncoder.serializedObject(JSONValue.array([.int(1)]), conventions: .report, written: { [:] }) == nil)
        #expect(try JSONTreeEncoder.serializedObject(JSONValue.object(["a": .int(1)]), conventions: .report, written: { nil }) == nil)
    }

    /// A Codable value as the report encodes one: keys converted to snake_case, nil as null, a key
    /// encoded twice (which the tree keeps as its last value), nested containers and scalars of
    /// every kind, at every indent.
    struct Sample: Encodable {
        var camelCase = 1
        var missing: String? = nil
        var items: [JSONValue] = [JSONTreeSerializationTests.nested, .string("é\u{202E}\n"), .double(1e300), .uint(.max)]
        var flag = true

        enum CodingKeys: String, CodingKey { case camelCase, missing, items, flag, twice }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(camelCase, forKey: .camelCase)
            try c.encodeIfPresent(missing, forKey: .missing)
            try c.encode(items, forKey: .items)
            try c.encode("first", forKey: .twice)
            try c.encode(flag, forKey: .flag)
            var nested = c.nestedUnkeyedContainer(forKey: .twice)
            try nested.encode(2)
            try nested.encode("second")
        }
    }

    @Test func aCodableValueReadsAsItsTree() throws {
        for value in [Sample(), Sample(camelCase: -7, missing: "there", items: [], flag: false)] {
            let tree = try JSONTreeEncoder.encode(value, conventions: .report)
            #expect(String(decoding: try JSONTreeEncoder.serialized(value, conventions: .report), as: UTF8.self) == tree.serialized())
            #expect(tree["twice"] == .array([.int(2), .string("second")]))
            let member = try JSONTreeEncoder.serialized(value, conventions: .report, indent: 1)
            let holder = try #require(try JSONTreeEncoder.serializedObject(JSONValue.object(["x": .null]), conventions: .report,
                                                                           written: { ["x": member] }))
            #expect(String(decoding: holder, as: UTF8.self) == JSONValue.object(["x": tree]).serialized())
        }
    }
}
