/// One step of a coding path, its parent the step above (nil is the top), shared by
/// `JSONTreeEncoder` and `JSONTreeDecoder`: the path is a chain built as containers nest and
/// turned into an array only when asked for (an error's context). Copying `codingPath + [key]`
/// for every key was a fifth of the encoder's instructions and a sixth of a snapshot's decoding
/// (callgrind, issue 16).
final class CodingPathLink {
    let key: any CodingKey
    let parent: CodingPathLink?

    init(_ key: any CodingKey, parent: CodingPathLink?) {
        self.key = key
        self.parent = parent
    }

    /// The keys from the top down to `link`'s.
    static func path(_ link: CodingPathLink?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var link = link
        while let step = link {
            keys.append(step.key)
            link = step.parent
        }
        return keys.reversed()
    }
}
