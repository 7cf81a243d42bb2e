import HostModel
import Testing

/// `JSONValue.serializedObject` copies members written apart (`serializedMember`, the JSON
/// report's other thread; issue 16) into their sorted places: the text must be the whole object's
/// `serialized()`, whatever the keys and wherever the written members sort.
struct JSONValueTests {
    static let nested: JSONValue = .object(["b": .array([.int(-1), .uint(2), .double(0.5), .null]),
                                            "a": .object(["z": .string("tab\there \"q\" é"), "y": .array([])]),
                                            "c": .object([:])])

    /// `members` with `written`'s keys serialized apart, against the object that holds both.
    static func agrees(_ members: [String: JSONValue], _ written: [String: JSONValue]) -> Bool {
        let whole = JSONValue.object(members.merging(written) { _, apart in apart }).serialized()
        return JSONValue.serializedObject(members, written: written.mapValues { $0.serializedMember() }) == whole
    }

    @Test func writtenMembersTakeTheirSortedPlaces() {
        let members: [String: JSONValue] = ["alpha": .int(1), "mid": Self.nested, "zulu": .bool(true), "é": .string("x")]
        #expect(Self.agrees(members, ["beta": Self.nested, "omega": .string("last")]))
        #expect(Self.agrees(members, ["aaa": .null]))
        #expect(Self.agrees(members, ["zzz": .array([Self.nested, Self.nested])]))
        #expect(Self.agrees([:], ["only": Self.nested]))
        #expect(Self.agrees(members, [:]))
    }

    /// A key in both is the written one's, as the renderer's placeholders (`findings: []`) are.
    @Test func aWrittenMemberReplacesItsPlaceholder() {
        #expect(Self.agrees(["findings": .array([]), "popek_goldberg": .null, "tool": .string("virtcheck")],
                            ["findings": .array([Self.nested]), "popek_goldberg": Self.nested]))
    }

    @Test func nothingAtAllIsAnEmptyObject() {
        #expect(JSONValue.serializedObject([:], written: [:]) == JSONValue.object([:]).serialized())
    }
}
