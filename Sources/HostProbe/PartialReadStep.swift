/// What a reader of a file read in part (`HostRoot.readOnDemand`) does next, as the decoder of
/// what it has so far says.
public enum PartialReadStep: Sendable, Hashable {
    /// Read these bytes (offsets into the file).
    case read(Range<Int>)
    /// Make the region this many bytes long (at most the file's size); its bytes stay.
    case grow(to: Int)
    /// The decoder has all it walks.
    case done
}
