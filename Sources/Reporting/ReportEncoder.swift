import HostModel

/// Encodes a Codable value into a `JSONValue` tree with the report's conventions: snake_case keys
/// (as `SnapshotCoding` writes them) and, unlike JSONEncoder, an explicit `null` for every absent
/// optional, so each report has the same shape whatever the host had to say (DESIGN.md:
/// "logical_cpus ... else null") and the schema can require every key.
public enum ReportEncoder {
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        let node = Node()
        try value.encode(to: TreeEncoder(node: node, codingPath: []))
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
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    static func encode(_ value: some Encodable, into node: Node, path: [any CodingKey]) throws {
        try value.encode(to: TreeEncoder(node: node, codingPath: path))
    }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "a report number must be finite"))
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
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node, path: codingPath) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.kind == .array ? node.items.count : 0 }

    mutating func encodeNil() throws { node.appendChild().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node.appendChild(), path: codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

/// Every `encodeIfPresent` overload writes `null` for nil: the point of this encoder.
private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    private func child(_ key: Key) -> Node { node.child(forKey: SnapshotCoding.snakeCase(key.stringValue)) }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try TreeEncoder.encode(value, into: child(key), path: codingPath + [key])
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encode(value, forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}
