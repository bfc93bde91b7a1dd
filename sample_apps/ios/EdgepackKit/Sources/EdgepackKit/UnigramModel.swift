import Foundation

/// Unigram (tokenizer.json `model.type` "Unigram", SentencePiece's model): the segmentation of each
/// word with the highest total score (Viterbi over every vocabulary piece that starts at each
/// character), as `Unigram::encode_optimized` finds it. A character no piece covers costs the lowest
/// score minus 10 and becomes the unknown token; consecutive unknown characters are one token. With
/// byte_fallback an unknown piece becomes its UTF-8 bytes (`<0x41>`) when the vocabulary has all of them.
struct UnigramModel: TokenizerModel {
    let vocab: Vocab
    private let scores: [Double]
    private let unkId: Int?
    private let byteFallback: Bool
    private let maxPieceLength: Int
    private let unkScore: Double

    static func fromJson(_ model: JSONObject) throws -> UnigramModel {
        guard let entries = model["vocab"]?.array else { throw UnsupportedTokenizerError("Unigram model has no vocab") }
        var pieces: [String] = []
        var scores: [Double] = []
        for (i, entry) in entries.enumerated() {
            guard let pair = entry.array, pair.count == 2, let piece = pair[0].string, let score = pair[1].double else {
                throw UnsupportedTokenizerError("Unigram vocab entry \(i) is not [piece, score]")
            }
            pieces.append(piece)
            scores.append(score)
        }
        var unkId: Int?
        if let unk = model["unk_id"] {
            let id = try intValue(unk, "Unigram unk_id")
            guard pieces.indices.contains(id) else { throw UnsupportedTokenizerError("Unigram unk_id \(id) is not in the vocab") }
            unkId = id
        }
        return UnigramModel(vocab: Vocab(pieces: pieces), scores: scores, unkId: unkId, byteFallback: model["byte_fallback"]?.bool ?? false,
                            maxPieceLength: pieces.map { $0.unicodeScalars.count }.max() ?? 0, unkScore: (scores.min() ?? 0) - 10)
    }

    func tokenize(_ w: Split) -> [Tok] {
        let cps = w.normalized.cps
        let n = w.end - w.start
        if n <= 0 { return [] }
        func utf8(_ from: Int, _ to: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for k in from..<to { appendUTF8(cps[w.start + k], to: &bytes) }
            return bytes
        }

        // The best segmentation of the first k characters: its score, where its last piece starts, that piece's id.
        var score = [Double](repeating: 0, count: n + 1)
        var from = [Int](repeating: -1, count: n + 1)
        var id = [Int](repeating: 0, count: n + 1)
        for start in 0..<n {
            let base = score[start]
            var single = false
            var key: [UInt8] = []
            for length in 1...max(1, min(maxPieceLength, n - start)) {
                appendUTF8(cps[w.start + start + length - 1], to: &key)
                guard let piece = vocab.id(bytes: key) else { continue }
                let candidate = base + scores[piece]
                let end = start + length
                if from[end] < 0 || candidate > score[end] {
                    score[end] = candidate
                    from[end] = start
                    id[end] = piece
                }
                if length == 1 { single = true }
            }
            if !single, let unk = unkId {
                let candidate = base + unkScore
                if from[start + 1] < 0 || candidate > score[start + 1] {
                    score[start + 1] = candidate
                    from[start + 1] = start
                    id[start + 1] = unk
                }
            }
        }

        // Back from the end; consecutive unknown pieces fuse into one.
        var spans: [(start: Int, end: Int, unknown: Bool)] = []
        var end = n
        while end > 0 {
            let start = from[end]
            if start < 0 { return [] }  // no unk_id and a character no piece covers: `tokenizers` fails here
            let unknown = id[end] == unkId
            if unknown, let last = spans.last, last.unknown, last.start == end {
                spans[spans.count - 1].start = start
            } else {
                spans.append((start, end, unknown))
            }
            end = start
        }
        spans.reverse()

        let align = w.normalized.align
        let alignEnd = w.normalized.alignEnd
        var out: [Tok] = []
        for span in spans {
            let bytes = utf8(span.start, span.end)
            let piece = String(decoding: bytes, as: UTF8.self)
            let start = align[w.start + span.start]
            let stop = alignEnd[w.start + span.end - 1]
            if let known = vocab.id(bytes: bytes) {
                out.append(Tok(id: known, value: piece, start: start, end: stop))
                continue
            }
            if byteFallback {
                let names = bytes.map { String(format: "<0x%02X>", $0) }
                let ids = names.map { vocab.id($0) }
                if ids.allSatisfy({ $0 != nil }) {
                    for (name, id) in zip(names, ids) { out.append(Tok(id: id!, value: name, start: start, end: stop)) }
                    continue
                }
            }
            if let unk = unkId { out.append(Tok(id: unk, value: piece, start: start, end: stop)) }
        }
        return out
    }
}
