import Foundation

/// WordPiece (tokenizer.json `model.type` "WordPiece"): greedy longest-match-first subwords.
struct WordPieceModel: TokenizerModel {
    let vocab: Vocab
    let unkToken: String
    let unkId: Int
    let prefix: [UInt8]
    let maxInputCharsPerWord: Int

    static func fromJson(_ model: JSONObject) throws -> WordPieceModel {
        let vocab = try Vocab(try requireObject(model["vocab"], "WordPiece model has no vocab"))
        let unkToken = model["unk_token"]?.string ?? "[UNK]"
        guard let unk = vocab.id(unkToken) else { throw UnsupportedTokenizerError("WordPiece unk_token \(unkToken) is not in the vocab") }
        return WordPieceModel(vocab: vocab, unkToken: unkToken, unkId: unk,
                              prefix: Array((model["continuing_subword_prefix"]?.string ?? "##").utf8),
                              maxInputCharsPerWord: model["max_input_chars_per_word"]?.int ?? 100)
    }

    func tokenize(_ w: Split) -> [Tok] {
        let cps = w.normalized.cps
        let align = w.normalized.align
        let alignEnd = w.normalized.alignEnd
        let n = w.end - w.start
        if n <= 0 { return [] }
        let unk = [Tok(id: unkId, value: unkToken, start: align[w.start], end: alignEnd[w.end - 1])]
        if n > maxInputCharsPerWord { return unk }
        // The word's UTF-8, and where each character starts in it.
        var bytes: [UInt8] = []
        var at: [Int] = []
        at.reserveCapacity(n + 1)
        for k in w.start..<w.end {
            at.append(bytes.count)
            appendUTF8(cps[k], to: &bytes)
        }
        at.append(bytes.count)
        var out: [Tok] = []
        var start = 0
        var piece: [UInt8] = []
        while start < n {
            var end = n
            var found: Tok? = nil
            while start < end {
                piece.removeAll(keepingCapacity: true)
                if start > 0 { piece += prefix }
                piece += bytes[at[start]..<at[end]]
                if let id = vocab.id(bytes: piece) {
                    found = Tok(id: id, value: String(decoding: piece, as: UTF8.self),
                                start: align[w.start + start], end: alignEnd[w.start + end - 1])
                    break
                }
                end -= 1
            }
            guard let tok = found else { return unk }
            out.append(tok)
            start = end
        }
        return out
    }
}
