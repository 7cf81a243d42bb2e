/// A set of `GuestCapability.catalogue` entries as bits: a host costs a few words, so a pool
/// of ten thousand hosts folds in a few hundred kilobytes and set algebra is word-wise.
public struct CapabilityBits: Sendable, Hashable {
    private var words: [UInt64]

    /// Room for every capability of the catalogue.
    public static var empty: CapabilityBits { CapabilityBits(words: Array(repeating: 0, count: wordCount)) }
    /// Every capability of the catalogue.
    public static var all: CapabilityBits {
        var bits = empty
        for i in GuestCapability.catalogue.indices { bits.insert(i) }
        return bits
    }

    private static let wordCount = (GuestCapability.catalogue.count + 63) / 64

    private init(words: [UInt64]) {
        self.words = words
    }

    public func contains(_ index: Int) -> Bool { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }

    public mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }

    public mutating func remove(_ index: Int) { words[index >> 6] &= ~(1 << UInt64(index & 63)) }

    public mutating func set(_ index: Int, _ value: Bool) {
        if value { insert(index) } else { remove(index) }
    }

    public func intersection(_ other: CapabilityBits) -> CapabilityBits {
        CapabilityBits(words: zip(words, other.words).map { $0 & $1 })
    }

    public func union(_ other: CapabilityBits) -> CapabilityBits {
        CapabilityBits(words: zip(words, other.words).map { $0 | $1 })
    }

    public func subtracting(_ other: CapabilityBits) -> CapabilityBits {
        CapabilityBits(words: zip(words, other.words).map { $0 & ~$1 })
    }

    /// The catalogue indices in the set, ascending.
    public var indices: [Int] { GuestCapability.catalogue.indices.filter(contains) }

    /// The capability names in the set, in catalogue order.
    public var names: [String] { indices.map { GuestCapability.catalogue[$0].name } }
}
