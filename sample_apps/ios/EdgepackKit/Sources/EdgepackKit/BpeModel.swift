import Foundation

/// BPE (tokenizer.json `model.type` "BPE"), without dropout; byte_fallback spells a character missing
/// from the vocabulary as its UTF-8 bytes (`<0xE2>`) when the vocabulary has them all.
struct BpeModel: TokenizerModel {
    let vocab: Vocab
    /// (left id << 32 | right id) -> (rank << 32 | new id).
    let merges: [UInt64: UInt64]
    let unkId: Int?
    let prefix: [UInt8]?
    let suffix: [UInt8]?
    let fuseUnk: Bool
    let ignoreMerges: Bool
    let byteFallback: Bool

    static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: a)) << 32 | UInt64(UInt32(truncatingIfNeeded: b)) }

    static func fromJson(_ model: JSONObject) throws -> BpeModel {
        if let dropout = model["dropout"], dropout.double != 0 {
            throw UnsupportedTokenizerError("unsupported BPE dropout \(dropout.text): only null or 0 is supported")
        }
        let vocab = try Vocab(try requireObject(model["vocab"], "BPE model has no vocab"))
        let unkId: Int?
        if let unk = model["unk_token"]?.string {
            guard let id = vocab.id(unk) else { throw UnsupportedTokenizerError("BPE unk_token \(unk) is not in the vocab") }
            unkId = id
        } else {
            unkId = nil
        }
        let prefix = model["continuing_subword_prefix"]?.string.map { Array($0.utf8) }
        let suffix = model["end_of_word_suffix"]?.string.map { Array($0.utf8) }
        let fuseUnk = model["fuse_unk"]?.bool ?? false
        let ignoreMerges = model["ignore_merges"]?.bool ?? false

        guard let rawMerges = model["merges"]?.array else { throw UnsupportedTokenizerError("BPE model has no merges") }
        // BPE::build: rank = position in the list (a later duplicate pair wins), new token =
        // a + b without b's continuing_subword_prefix.
        var merges: [UInt64: UInt64] = [:]
        merges.reserveCapacity(rawMerges.count)
        var rank = 0
        for m in rawMerges {
            let a: [UInt8]
            let b: [UInt8]
            if let line = m.string {
                if line.hasPrefix("#version") { continue }
                let parts = Array(line.utf8).split(separator: 0x20, omittingEmptySubsequences: false)
                if parts.count != 2 { throw UnsupportedTokenizerError("malformed BPE merge \"\(line)\"") }
                a = Array(parts[0])
                b = Array(parts[1])
            } else if let pair = m.array, pair.count == 2, let left = pair[0].string, let right = pair[1].string {
                a = Array(left.utf8)
                b = Array(right.utf8)
            } else {
                throw UnsupportedTokenizerError("malformed BPE merge \(m.text)")
            }
            guard let aId = vocab.id(bytes: a) else { throw UnsupportedTokenizerError("BPE merge token \(String(decoding: a, as: UTF8.self)) is not in the vocab") }
            guard let bId = vocab.id(bytes: b) else { throw UnsupportedTokenizerError("BPE merge token \(String(decoding: b, as: UTF8.self)) is not in the vocab") }
            let cut = prefix ?? []
            if !b.starts(with: cut) {
                throw UnsupportedTokenizerError("BPE merge token \(String(decoding: b, as: UTF8.self)) does not start with the continuing_subword_prefix")
            }
            let merged = a + b[cut.count...]
            guard let newId = vocab.id(bytes: merged) else {
                throw UnsupportedTokenizerError("BPE merge result \(String(decoding: merged, as: UTF8.self)) is not in the vocab")
            }
            merges[BpeModel.key(aId, bId)] = UInt64(rank) << 32 | UInt64(UInt32(truncatingIfNeeded: newId))
            rank += 1
        }
        return BpeModel(vocab: vocab, merges: merges, unkId: unkId, prefix: prefix, suffix: suffix, fuseUnk: fuseUnk,
                        ignoreMerges: ignoreMerges, byteFallback: model["byte_fallback"]?.bool ?? false)
    }

    /// BPE::tokenize (no dropout): ignore_merges, then merge_word (per-character vocab lookup with
    /// continuing_subword_prefix / end_of_word_suffix, byte_fallback, unk and fuse_unk; a character
    /// without a vocab entry and no unk_token is dropped, and as in `tokenizers` the offsets of what
    /// follows are not shifted for it), then Word::merge_all. Symbol lengths are UTF-8 bytes, as in
    /// `tokenizers`: a byte_fallback token is one byte of a character and takes its offsets.
    func tokenize(_ w: Split) -> [Tok] {
        let cps = w.normalized.cps
        let align = w.normalized.align
        let alignEnd = w.normalized.alignEnd
        let n = w.end - w.start
        if n <= 0 { return [] }
        var bytes: [UInt8] = []
        if ignoreMerges {
            for k in w.start..<w.end { appendUTF8(cps[k], to: &bytes) }
            if let id = vocab.id(bytes: bytes) {
                return [Tok(id: id, value: String(decoding: bytes, as: UTF8.self), start: align[w.start], end: alignEnd[w.end - 1])]
            }
        }
        var ids: [Int] = []
        var lens: [Int] = []
        ids.reserveCapacity(n)
        lens.reserveCapacity(n)
        var pendingUnk = -1
        var pendingLen = 0
        for k in 0..<n {
            let length = utf8Length(CollectionOfOne(cps[w.start + k]))
            bytes.removeAll(keepingCapacity: true)
            if k > 0, let prefix = prefix { bytes += prefix }
            appendUTF8(cps[w.start + k], to: &bytes)
            if k == n - 1, let suffix = suffix { bytes += suffix }
            if let id = vocab.id(bytes: bytes) {
                if pendingUnk >= 0 {
                    ids.append(pendingUnk)
                    lens.append(pendingLen)
                    pendingUnk = -1
                }
                ids.append(id)
                lens.append(length)
                continue
            }
            if byteFallback {
                // As `tokenizers` does, an unknown character still pending is not flushed first.
                let byteIds = bytes.map { vocab.id(String(format: "<0x%02X>", $0)) }
                if byteIds.allSatisfy({ $0 != nil }) {
                    for id in byteIds {
                        ids.append(id!)
                        lens.append(1)
                    }
                    continue
                }
            }
            if let unk = unkId {
                if pendingUnk >= 0 && fuseUnk {
                    pendingLen += length
                } else {
                    if pendingUnk >= 0 {
                        ids.append(pendingUnk)
                        lens.append(pendingLen)
                    }
                    pendingUnk = unk
                    pendingLen = length
                }
            }
        }
        if pendingUnk >= 0 {
            ids.append(pendingUnk)
            lens.append(pendingLen)
        }
        mergeAll(&ids, &lens)
        // The character each byte of the word belongs to.
        var owner: [Int] = []
        for k in w.start..<w.end { owner += repeatElement(k, count: utf8Length(CollectionOfOne(cps[k]))) }
        var out: [Tok] = []
        out.reserveCapacity(ids.count)
        var pos = 0
        for k in 0..<ids.count {
            let end = pos + lens[k]
            let first = owner[min(pos, owner.count - 1)]
            let last = owner[min(end - 1, owner.count - 1)]
            out.append(Tok(id: ids[k], value: vocab.token(ids[k]) ?? "", start: align[first], end: alignEnd[last]))
            pos = end
        }
        return out
    }

    /// Word::merge_all without dropout: lowest rank first, then leftmost; stale entries skipped.
    private func mergeAll(_ ids: inout [Int], _ lens: inout [Int]) {
        let m = ids.count
        if m < 2 { return }
        var prev = (0..<m).map { $0 - 1 }
        var next = (0..<m).map { $0 == m - 1 ? -1 : $0 + 1 }
        var queue = MergeQueue()
        func push(_ pos: Int, _ a: Int, _ b: Int) {
            guard let v = merges[BpeModel.key(a, b)] else { return }
            queue.push(MergeQueue.Entry(rank: Int(v >> 32), pos: pos, newId: Int(UInt32(truncatingIfNeeded: v))))
        }
        for i in 0..<(m - 1) { push(i, ids[i], ids[i + 1]) }
        while let top = queue.pop() {
            if lens[top.pos] == 0 { continue }
            let right = next[top.pos]
            if right == -1 { continue }
            guard let target = merges[BpeModel.key(ids[top.pos], ids[right])],
                  Int(UInt32(truncatingIfNeeded: target)) == top.newId else { continue }
            let rightNext = next[right]
            ids[top.pos] = top.newId
            lens[top.pos] += lens[right]
            next[top.pos] = rightNext
            lens[right] = 0
            if rightNext >= 0 { prev[rightNext] = top.pos }
            if prev[top.pos] >= 0 { push(prev[top.pos], ids[prev[top.pos]], ids[top.pos]) }
            if rightNext >= 0 { push(top.pos, ids[top.pos], ids[rightNext]) }
        }
        var k = 0
        for i in 0..<m where lens[i] != 0 {
            ids[k] = ids[i]
            lens[k] = lens[i]
            k += 1
        }
        ids.removeSubrange(k...)
        lens.removeSubrange(k...)
    }
}

/// A binary min-heap of merges ordered by (rank, position).
private struct MergeQueue {
    struct Entry {
        let rank: Int
        let pos: Int
        let newId: Int

        func before(_ other: Entry) -> Bool { rank != other.rank ? rank < other.rank : pos < other.pos }
    }

    private var heap: [Entry] = []

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !heap[i].before(heap[parent]) { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < heap.count && heap[l].before(heap[smallest]) { smallest = l }
            if r < heap.count && heap[r].before(heap[smallest]) { smallest = r }
            if smallest == i { break }
            heap.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}
