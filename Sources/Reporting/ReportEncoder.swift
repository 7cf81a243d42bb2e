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
private final class Node {
    enum Content {
        case empty
        case scalar(JSONValue)
        case object([String: Node])
        case array([Node])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: .object([:])
        case .scalar(let v): v
        case .object(let members): .object(members.mapValues(\.value))
        case .array(let items): .array(items.map(\.value))
        }
    }

    // Both appends first empty `content`, so the array or dictionary taken out of it is the
    // only reference and grows in place; left in `content`, every append copied the whole
    // container: quadratic, 131 s for the JSON report of a `--root` tree with 60,000 IOMMU groups.
    func child(forKey key: String) -> Node {
        var members: [String: Node] = [:]
        if case .object(let m) = content { members = m }
        content = .empty
        let node = Node()
        members[key] = node
        content = .object(members)
        return node
    }

    func appendChild() -> Node {
        var items: [Node] = []
        if case .array(let a) = content { items = a }
        content = .empty
        let node = Node()
        items.append(node)
        content = .array(items)
        return node
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
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

    mutating func encodeNil() throws { node.content = .scalar(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .scalar(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .scalar(.string(value)) }
    mutating func encode(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "a report number must be finite"))
        }
        node.content = .scalar(.double(value))
    }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws { node.content = .scalar(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { node.content = .scalar(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { node.content = .scalar(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { node.content = .scalar(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.content = .scalar(.int(value)) }
    mutating func encode(_ value: UInt) throws { node.content = .scalar(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { node.content = .scalar(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { node.content = .scalar(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { node.content = .scalar(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { node.content = .scalar(.uint(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node, path: codingPath) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int {
        if case .array(let a) = node.content { return a.count }
        return 0
    }

    mutating func encodeNil() throws { node.appendChild().content = .scalar(.null) }
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

    mutating func encodeNil(forKey key: Key) throws { child(key).content = .scalar(.null) }
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
