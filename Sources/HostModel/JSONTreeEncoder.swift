/// Encodes a Codable value into a `JSONValue` tree, keys in snake_case (as `SnapshotCoding`
/// writes them), under one of two conventions (`Conventions`): the report's, or the one of the
/// snapshots that JSONEncoder wrote and that `SnapshotCoding.encode` writes now.
/// `JSONTreeDecoder` is its reverse.
public enum JSONTreeEncoder {
    public enum Conventions: Sendable {
        /// An explicit `null` for every absent optional, so each report has the same shape
        /// whatever the host had to say (DESIGN.md: "logical_cpus ... else null") and the schema
        /// can require every key; every key in snake_case, a dictionary's too.
        case report
        /// JSONEncoder's with `.convertToSnakeCase`: an absent optional is left out, and a
        /// dictionary keyed by strings or integers keeps its keys as they are (JSONEncoder
        /// exempts them from key conversion), so snapshots read and diff as they always did.
        case snapshot
    }

    public static func encode(_ value: some Encodable, conventions: Conventions) throws -> JSONValue {
        try tree(value, conventions: conventions).value
    }

    /// The bytes of `encode(value, conventions:).serialized()`, written from the encoder's own
    /// nodes rather than through a `JSONValue`: making that value (a dictionary per object, each
    /// key hashed) and freeing it was a third of the JSON report's 12.8 M instructions
    /// (callgrind, issue 16). `indent` is the level its lines stand at: 1 for a member of a
    /// top-level object written apart, for `serializedObject(_:conventions:written:)`.
    public static func serialized(_ value: some Encodable, conventions: Conventions, indent: Int = 0) throws -> [UInt8] {
        let node = try tree(value, conventions: conventions)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        node.write(into: &out, indent: indent)
        return out
    }

    /// The bytes of the object `value` encodes to, with the members `written` gives (serialized
    /// apart at indent 1, as the JSON report's other thread does) copied into their sorted places;
    /// a key in both is the written one's. `written` is asked once `value` is encoded, so what it
    /// waits for is made meanwhile. nil when `value` is not an object or `written` gives nil.
    public static func serializedObject(_ value: some Encodable, conventions: Conventions,
                                        written: () -> [String: [UInt8]]?) throws -> [UInt8]? {
        let node = try tree(value, conventions: conventions)
        guard node.kind == .object || node.kind == .empty, let written = written() else { return nil }
        let parts = (node.sortedMembers().filter { written[$0.key] == nil }.map { (key: $0.key, value: Part.slot($0.value)) }
                     + written.map { (key: $0.key, value: Part.text($0.value)) }).sorted { $0.key < $1.key }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16 + written.values.reduce(0) { $0 + $1.count })
        JSONValue.writeObject(parts, indent: 0, into: &out) { part, out in
            switch part {
            case .slot(let slot): slot.write(into: &out, indent: 1)
            case .text(let bytes): out.append(contentsOf: bytes)
            }
        }
        return out
    }

    /// A member of `serializedObject`: one encoded here, or its text written apart.
    private enum Part {
        case slot(Node.Slot)
        case text([UInt8])
    }

    private static func tree(_ value: some Encodable, conventions: Conventions) throws -> Node {
        let node = Node()
        try TreeEncoder.encode(value, into: node, link: nil, context: EncodingContext(conventions: conventions))
        return node
    }
}

/// One value under construction; containers created on the same encoder share it, as in JSONEncoder.
/// Members and items live in the node itself and are added in place: held inside an enum payload,
/// each added key copied the whole dictionary (quadratic in an object's size; callgrind, issue 16).
/// Members are kept in the order encoded and hashed once, into the finished object (`value`):
/// a dictionary per node, grown key by key, cost 1.2 M of a report's 8.6 M encoding instructions.
/// A scalar member or item is held as its value, not in a node of its own (most of a report's
/// values are scalars, and a node each was an allocation and a release each).
private final class Node {
    enum Kind {
        case empty, scalar, object, array
    }

    /// A member or item: a finished scalar, or a node its own containers fill.
    enum Slot {
        case value(JSONValue)
        case node(Node)

        var value: JSONValue {
            switch self {
            case .value(let value): value
            case .node(let node): node.value
            }
        }

        func write(into out: inout [UInt8], indent: Int) {
            switch self {
            case .value(let value): value.write(into: &out, indent: indent)
            case .node(let node): node.write(into: &out, indent: indent)
            }
        }
    }

    var kind = Kind.empty
    var scalar = JSONValue.null
    /// A key encoded twice keeps its last value, as a dictionary assigned twice would.
    var members: [(key: String, slot: Slot)] = []
    var items: [Slot] = []

    var value: JSONValue {
        switch kind {
        case .empty: .object([:])
        case .scalar: scalar
        case .object:
            .object(Dictionary(members.lazy.map { ($0.key, $0.slot.value) }, uniquingKeysWith: { _, last in last }))
        case .array: .array(items.map(\.value))
        }
    }

    /// What `value.serialized()` writes, in the layout of `JSONValue.write`, without the value.
    func write(into out: inout [UInt8], indent: Int) {
        switch kind {
        case .empty: JSONValue.append("{}", into: &out)
        case .scalar: scalar.write(into: &out, indent: indent)
        case .object:
            JSONValue.writeObject(sortedMembers(), indent: indent, into: &out) { slot, out in slot.write(into: &out, indent: indent + 1) }
        case .array:
            JSONValue.writeArray(items, indent: indent, into: &out) { slot, out in slot.write(into: &out, indent: indent + 1) }
        }
    }

    /// The members in key order, a key encoded twice with its last value (as `value` keeps it).
    func sortedMembers() -> [(key: String, value: Slot)] {
        let order = members.indices.sorted { members[$0].key < members[$1].key || (members[$0].key == members[$1].key && $0 < $1) }
        var sorted: [(key: String, value: Slot)] = []
        sorted.reserveCapacity(order.count)
        for (n, i) in order.enumerated() where n + 1 == order.count || members[order[n + 1]].key != members[i].key {
            sorted.append((members[i].key, members[i].slot))
        }
        return sorted
    }

    func set(_ value: JSONValue) {
        kind = .scalar
        scalar = value
    }

    /// Makes this node an object (an empty one unless it already was).
    func becomeObject() {
        guard kind != .object else { return }
        kind = .object
        members = []
    }

    /// Makes this node an array (an empty one unless it already was).
    func becomeArray() {
        guard kind != .array else { return }
        kind = .array
        items = []
    }

    func child(forKey key: String) -> Node {
        becomeObject()
        let node = Node()
        members.append((key, .node(node)))
        return node
    }

    /// A scalar member.
    func set(_ value: JSONValue, forKey key: String) {
        becomeObject()
        members.append((key, .value(value)))
    }

    /// A scalar item.
    func append(_ value: JSONValue) {
        becomeArray()
        items.append(.value(value))
    }

    func appendChild() -> Node {
        becomeArray()
        let node = Node()
        items.append(.node(node))
        return node
    }
}

/// What every container of one encoding shares: the conventions, the snake_case form of each key
/// met so far (a report converts the same few hundred keys thousands of times), and nothing per
/// value (the coding path is a `CodingPathLink` chain).
private final class EncodingContext {
    let conventions: JSONTreeEncoder.Conventions
    private var snakeCase: [String: String] = [:]

    init(conventions: JSONTreeEncoder.Conventions) { self.conventions = conventions }

    func name(_ key: String) -> String {
        // An ASCII key without a capital (most of them) is its own snake_case: no lookup to hash it
        // for. Looked at on its contiguous bytes (through `String.UTF8View`, 1 % of a check).
        var bytes = key
        guard bytes.withUTF8({ $0.contains { $0 &- UInt8(ascii: "A") < 26 || $0 >= 0x80 } }) else { return key }
        if let known = snakeCase[key] { return known }
        let converted = SnapshotCoding.snakeCase(key)
        snakeCase[key] = converted
        return converted
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let link: CodingPathLink?
    let context: EncodingContext
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The coding key of the standard library's `Dictionary.encode(to:)` for String, Int and
    /// CodingKeyRepresentable keys: the containers whose keys JSONEncoder writes as they are.
    static let dictionaryCodingKey = "Swift._DictionaryCodingKey"

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        // Told by the key type's name, not by casting each value to a protocol: a cast per value
        // searched the runtime's conformance records for every new type, a quarter of `capture`'s
        // instructions (callgrind, issue 16).
        let verbatim = context.conventions == .snapshot && _typeName(Key.self) == TreeEncoder.dictionaryCodingKey
        return KeyedEncodingContainer(Keyed<Key>(node: node, link: link, context: context, verbatimKeys: verbatim))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return Unkeyed(node: node, link: link, context: context)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, link: link, context: context)
    }

    static func encode(_ value: some Encodable, into node: Node, link: CodingPathLink?, context: EncodingContext) throws {
        try value.encode(to: TreeEncoder(node: node, link: link, context: context))
    }
}

/// A JSON number must be finite: infinity and NaN are refused, as JSONEncoder refuses them.
private func finite(_ value: Double, at link: CodingPathLink?) throws -> JSONValue {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: CodingPathLink.path(link), debugDescription: "a JSON number must be finite"))
    }
    return .double(value)
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    let link: CodingPathLink?
    let context: EncodingContext
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(try finite(value, at: link)) }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws { node.set(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { node.set(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { node.set(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { node.set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.set(.int(value)) }
    mutating func encode(_ value: UInt) throws { node.set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { node.set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { node.set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { node.set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { node.set(.uint(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try TreeEncoder.encode(value, into: node, link: link, context: context)
    }
}

/// Scalars are added as values directly, not through a generic encode and a single-value
/// container each (the standard library's default for these overloads).
private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let link: CodingPathLink?
    let context: EncodingContext
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }
    var count: Int { node.kind == .array ? node.items.count : 0 }

    mutating func encodeNil() throws { node.append(.null) }
    mutating func encode(_ value: Bool) throws { node.append(.bool(value)) }
    mutating func encode(_ value: String) throws { node.append(.string(value)) }
    mutating func encode(_ value: Double) throws { node.append(try finite(value, at: link)) }
    mutating func encode(_ value: Int) throws { node.append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.append(.int(value)) }
    mutating func encode(_ value: UInt32) throws { node.append(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { node.append(.uint(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try TreeEncoder.encode(value, into: node.appendChild(), link: link, context: context)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.appendChild(), link: link, context: context).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.appendChild(), link: link, context: context).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.appendChild(), link: link, context: context)
    }
}

/// Under `Conventions.report` every `encodeIfPresent` overload writes `null` for nil; under
/// `.snapshot` nil is left out, as JSONEncoder leaves it out. Scalars are set directly, as in
/// `Unkeyed`.
private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let link: CodingPathLink?
    let context: EncodingContext
    /// A dictionary's keys under `.snapshot`: written as they are, not in snake_case.
    let verbatimKeys: Bool
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }

    private func name(_ key: Key) -> String {
        verbatimKeys ? key.stringValue : context.name(key.stringValue)
    }

    private func child(_ key: Key) -> Node {
        node.child(forKey: name(key))
    }

    private func encoder(_ key: Key) -> TreeEncoder {
        TreeEncoder(node: child(key), link: CodingPathLink(key, parent: link), context: context)
    }

    mutating func encodeNil(forKey key: Key) throws { node.set(.null, forKey: name(key)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.set(.bool(value), forKey: name(key)) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.set(.string(value), forKey: name(key)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        node.set(try finite(value, at: CodingPathLink(key, parent: link)), forKey: name(key))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.set(.int(Int64(value)), forKey: name(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.set(.int(value), forKey: name(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { node.set(.uint(UInt64(value)), forKey: name(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { node.set(.uint(value), forKey: name(key)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try TreeEncoder.encode(value, into: child(key), link: CodingPathLink(key, parent: link), context: context)
    }

    /// nil as the conventions say; a value through `write`.
    private mutating func encodeOptional<T>(_ value: T?, forKey key: Key, _ write: (inout Self, T) throws -> Void) throws {
        guard let value else {
            if context.conventions == .report { node.set(.null, forKey: name(key)) }
            return
        }
        try write(&self, value)
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) { try $0.encode($1, forKey: key) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.child(forKey: "super"), link: link, context: context)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(key) }
}
