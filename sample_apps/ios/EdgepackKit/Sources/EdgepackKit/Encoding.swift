import Foundation

/// One tokenized text (or pair), as `tokenizers.Encoding` holds it.
public struct Encoding: Sendable {
    public let ids: [Int]
    public let typeIds: [Int]
    public let attentionMask: [Int]
    /// [start, end) in Unicode code points of the original text; (0, 0) for special tokens.
    public let offsets: [[Int]]
    public let tokens: [String]

    public init(ids: [Int], typeIds: [Int], attentionMask: [Int], offsets: [[Int]], tokens: [String]) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.tokens = tokens
    }
}

/// One sequence before post-processing; offsets are code points of that sequence's text.
struct Seq {
    var ids: [Int] = []
    var typeIds: [Int] = []
    var tokens: [String] = []
    var starts: [Int] = []
    var ends: [Int] = []
    var mask: [Int] = []

    var count: Int { ids.count }

    mutating func add(_ id: Int, _ type: Int, _ token: String, _ start: Int, _ end: Int, _ attention: Int) {
        ids.append(id)
        typeIds.append(type)
        tokens.append(token)
        starts.append(start)
        ends.append(end)
        mask.append(attention)
    }

    mutating func append(_ other: Seq) {
        ids += other.ids
        typeIds += other.typeIds
        tokens += other.tokens
        starts += other.starts
        ends += other.ends
        mask += other.mask
    }

    func truncated(to max: Int, left: Bool) -> Seq {
        let n = count
        if max >= n { return self }
        let range = left ? (n - max)..<n : 0..<max
        return Seq(ids: Array(ids[range]), typeIds: Array(typeIds[range]), tokens: Array(tokens[range]),
                   starts: Array(starts[range]), ends: Array(ends[range]), mask: Array(mask[range]))
    }

    func encoding() -> Encoding {
        Encoding(ids: ids, typeIds: typeIds, attentionMask: mask, offsets: (0..<count).map { [starts[$0], ends[$0]] }, tokens: tokens)
    }
}
