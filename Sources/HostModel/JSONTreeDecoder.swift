/// Decodes a Codable value from a `JSONValue` tree (`JSONReader`'s), throwing the
/// `DecodingError`s JSONDecoder throws for the same faults, with the same coding paths, so
/// messages that name a snapshot's bad key (`OfflineLoader.describe`) read as before.
///
/// Keys are looked up as they stand in the tree: `JSONReader` already converted them (for
/// snapshots, `SnapshotCoding.convertFromSnakeCase`). Numbers are exact: an integer type takes
/// only a number with an integral value that fits it, as JSONDecoder's; a fraction is a bad value
/// at its key (JSONDecoder called it malformed JSON). The coding path is a `CodingPathLink` chain,
/// a link made only when a container opens (a scalar, most of a snapshot's values, makes none).
public struct JSONTreeDecoder: Decoder {
    let value: JSONValue
    /// The path to the container that holds this value, and this value's key in it (nil at the
    /// top, and for a `superDecoder()`, which shares its container's path).
    let parent: CodingPathLink?
    let key: (any CodingKey)?
    public var codingPath: [any CodingKey] { CodingPathLink.path(link) }
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    public init(_ value: JSONValue) {
        self.init(value, parent: nil, key: nil)
    }

    init(_ value: JSONValue, parent: CodingPathLink?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    /// This value's own place in the path: the link its containers start from.
    private var link: CodingPathLink? {
        guard let key else { return parent }
        return CodingPathLink(key, parent: parent)
    }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members): return KeyedDecodingContainer(Keyed<Key>(members: members, link: link))
        case .null: throw DecodingError.valueNotFound(KeyedDecodingContainer<Key>.self, context("an object, found null"))
        default: throw DecodingError.typeMismatch([String: JSONValue].self, context("an object"))
        }
    }

    public func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let items): return Unkeyed(items: items, link: link)
        case .null: throw DecodingError.valueNotFound([JSONValue].self, context("an array, found null"))
        default: throw DecodingError.typeMismatch([JSONValue].self, context("an array"))
        }
    }

    public func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    private func context(_ expected: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected)")
    }

    /// The scalar decoders, shared by the single-value container and (through a child decoder)
    /// the keyed and unkeyed ones.
    func scalar<T>(_ type: T.Type, numeric: Bool = false, _ convert: (JSONValue) -> T?) throws -> T {
        if let result = convert(value) { return result }
        switch value {
        case .null: throw DecodingError.valueNotFound(type, context("\(type), found null"))
        case .int, .uint, .double:
            guard !numeric else { throw DecodingError.dataCorrupted(context("a number that fits \(type)")) }
            throw DecodingError.typeMismatch(type, context("\(type)"))
        case .bool, .string, .array, .object: throw DecodingError.typeMismatch(type, context("\(type)"))
        }
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try scalar(type, numeric: true) { value in
            switch value {
            case .int(let i): T(exactly: i)
            case .uint(let u): T(exactly: u)
            case .double(let d): T(exactly: d) // `1e0`, as JSONDecoder took it; `1.5` is refused
            default: nil
            }
        }
    }

    func floatingPoint<T: BinaryFloatingPoint>(_ type: T.Type) throws -> T {
        try scalar(type, numeric: true) { value in
            switch value {
            case .int(let i): T(i)
            case .uint(let u): T(u)
            case .double(let d): T(d)
            default: nil
            }
        }
    }
}

extension JSONTreeDecoder: SingleValueDecodingContainer {
    public func decodeNil() -> Bool { value == .null }
    public func decode(_ type: Bool.Type) throws -> Bool {
        try scalar(type) { if case .bool(let b) = $0 { b } else { nil } }
    }
    public func decode(_ type: String.Type) throws -> String {
        try scalar(type) { if case .string(let s) = $0 { s } else { nil } }
    }
    public func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    public func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    public func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    public func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    public func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    public func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    public func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    public func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    public func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    public func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    public func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    public func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let link: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func child(_ key: Key) throws -> JSONTreeDecoder {
        guard let member = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "no value for the key"))
        }
        return JSONTreeDecoder(member, parent: link, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key)) }

    /// The decoder of `key`'s value, nil where the key is absent or its value null: what
    /// `decodeIfPresent` asks, in one lookup (the standard library's default looks the key up
    /// three times: `contains`, `decodeNil`, `decode`).
    private func present(_ key: Key) -> JSONTreeDecoder? {
        guard let member = members[key.stringValue] else { return nil }
        if case .null = member { return nil }
        return JSONTreeDecoder(member, parent: link, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(key)?.decode(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key).map { try T(from: $0) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONTreeDecoder(members["super"] ?? .null, parent: link, key: nil)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONTreeDecoder(members[key.stringValue] ?? .null, parent: link, key: key)
    }
}

private struct Unkeyed: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let link: CodingPathLink?
    var currentIndex = 0
    var codingPath: [any CodingKey] { CodingPathLink.path(link) }

    init(items: [JSONValue], link: CodingPathLink?) {
        self.items = items
        self.link = link
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The decoder of the next item; the index moves on only once the item decoded.
    private func next<T>(_ type: T.Type) throws -> JSONTreeDecoder {
        let key = IndexKey(currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: CodingPathLink.path(CodingPathLink(key, parent: link)), debugDescription: "the array has no more items"))
        }
        return JSONTreeDecoder(items[currentIndex], parent: link, key: key)
    }

    private mutating func advance<T>(_ result: T) -> T {
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(JSONValue.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { advance(try next(type).decode(type)) }
    mutating func decode(_ type: String.Type) throws -> String { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Double.Type) throws -> Double { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Float.Type) throws -> Float { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Int.Type) throws -> Int { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { advance(try next(type).decode(type)) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { advance(try next(type).decode(type)) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { advance(try next(type).decode(type)) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { advance(try T(from: next(type))) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        advance(try next(KeyedDecodingContainer<NestedKey>.self).container(keyedBy: type))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        advance(try next([JSONValue].self).unkeyedContainer())
    }

    mutating func superDecoder() throws -> any Decoder { advance(try next(JSONValue.self)) }
}

/// An array position in a coding path, as JSONDecoder names it (`Index 3`, intValue 3).
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
