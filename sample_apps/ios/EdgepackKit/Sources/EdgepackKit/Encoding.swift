import Foundation

/// One tokenized text (or pair), as `tokenizers.Encoding` holds it.
public struct Encoding: Sendable {
    public let ids: [Int]
    public let typeIds: [Int]
    public let attentionMask: [Int]
    /// [start, end) in Unicode code points of the original text; (0, 0) for special tokens.
    public let offsets: [[Int]]
    public let tokens: [String]
    /// `Encoding.word_ids`: the index of the pre-tokenized word each token came from,
    /// `Encoding.noWord` for special tokens and padding.
    public let wordIds: [Int]

    public static let noWord = -1

    public init(ids: [Int], typeIds: [Int], attentionMask: [Int], offsets: [[Int]], tokens: [String], wordIds: [Int]) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.tokens = tokens
        self.wordIds = wordIds
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
    var words: [Int] = []

    var count: Int { ids.count }

    mutating func add(_ id: Int, _ type: Int, _ token: String, _ start: Int, _ end: Int, _ attention: Int,
                      word: Int = Encoding.noWord) {
        ids.append(id)
        typeIds.append(type)
        tokens.append(token)
        starts.append(start)
        ends.append(end)
        mask.append(attention)
        words.append(word)
    }

    mutating func append(_ other: Seq) {
        ids += other.ids
        typeIds += other.typeIds
        tokens += other.tokens
        starts += other.starts
        ends += other.ends
        mask += other.mask
        words += other.words
    }

    func truncated(to max: Int, left: Bool) -> Seq {
        let n = count
        if max >= n { return self }
        let range = left ? (n - max)..<n : 0..<max
        return Seq(ids: Array(ids[range]), typeIds: Array(typeIds[range]), tokens: Array(tokens[range]),
                   starts: Array(starts[range]), ends: Array(ends[range]), mask: Array(mask[range]), words: Array(words[range]))
    }

    func encoding() -> Encoding {
        Encoding(ids: ids, typeIds: typeIds, attentionMask: mask, offsets: (0..<count).map { [starts[$0], ends[$0]] }, tokens: tokens,
                 wordIds: words)
    }
}
