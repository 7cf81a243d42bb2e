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
        let node = Node()
        try TreeEncoder.encode(value, into: node, path: [], conventions: conventions)
        return node.value
    }
}

/// One value under construction; containers created on the same encoder share it, as in JSONEncoder.
/// Members and items live in the node itself and are added in place: held inside an enum payload,
/// each added key copied the whole dictionary (quadratic in an object's size; callgrind, issue 16).
private final class Node {
    enum Kind {
        case empty, scalar, object, array
    }

    var kind = Kind.empty
    var scalar = JSONValue.null
    var members: [String: Node] = [:]
    var items: [Node] = []

    var value: JSONValue {
        switch kind {
        case .empty: .object([:])
        case .scalar: scalar
        case .object: .object(members.mapValues(\.value))
        case .array: .array(items.map(\.value))
        }
    }

    func set(_ value: JSONValue) {
        kind = .scalar
        scalar = value
    }

    /// Makes this node an object (an empty one unless it already was).
    func becomeObject() {
        guard kind != .object else { return }
        kind = .object
        members = [:]
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
        members[key] = node
        return node
    }

    func appendChild() -> Node {
        becomeArray()
        let node = Node()
        items.append(node)
        return node
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    let conventions: JSONTreeEncoder.Conventions
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The coding key of the standard library's `Dictionary.encode(to:)` for String, Int and
    /// CodingKeyRepresentable keys: the containers whose keys JSONEncoder writes as they are.
    static let dictionaryCodingKey = "Swift._DictionaryCodingKey"

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        // Told by the key type's name, not by casting each value to a protocol: a cast per value
        // searched the runtime's conformance records for every new type, a quarter of `capture`'s
        // instructions (callgrind, issue 16).
        let verbatim = conventions == .snapshot && _typeName(Key.self) == TreeEncoder.dictionaryCodingKey
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath, conventions: conventions, verbatimKeys: verbatim))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return Unkeyed(node: node, codingPath: codingPath, conventions: conventions)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, codingPath: codingPath, conventions: conventions)
    }

    static func encode(_ value: some Encodable, into node: Node, path: [any CodingKey],
                       conventions: JSONTreeEncoder.Conventions) throws {
        try value.encode(to: TreeEncoder(node: node, codingPath: path, conventions: conventions))
    }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    let conventions: JSONTreeEncoder.Conventions

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    /// JSON has no infinity or NaN: refused, as JSONEncoder refuses them.
    mutating func encode(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "a JSON number must be finite"))
        }
        node.set(.double(value))
    }
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
        try TreeEncoder.encode(value, into: node, path: codingPath, conventions: conventions)
    }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    let conventions: JSONTreeEncoder.Conventions
    var count: Int { node.kind == .array ? node.items.count : 0 }

    mutating func encodeNil() throws { node.appendChild().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try TreeEncoder.encode(value, into: node.appendChild(), path: codingPath, conventions: conventions)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath, conventions: conventions).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath, conventions: conventions).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath, conventions: conventions)
    }
}

/// Under `Conventions.report` every `encodeIfPresent` overload writes `null` for nil; under
/// `.snapshot` nil is left out, as JSONEncoder leaves it out.
private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]
    let conventions: JSONTreeEncoder.Conventions
    /// A dictionary's keys under `.snapshot`: written as they are, not in snake_case.
    let verbatimKeys: Bool

    private func child(_ key: Key) -> Node {
        node.child(forKey: verbatimKeys ? key.stringValue : SnapshotCoding.snakeCase(key.stringValue))
    }

    private func encoder(_ key: Key) -> TreeEncoder {
        TreeEncoder(node: child(key), codingPath: codingPath + [key], conventions: conventions)
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try TreeEncoder.encode(value, into: child(key), path: codingPath + [key], conventions: conventions)
    }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if value == nil, conventions == .snapshot { return }
        try encode(value, forKey: key)
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.child(forKey: "super"), codingPath: codingPath, conventions: conventions)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(key) }
}
