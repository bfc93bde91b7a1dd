import Foundation

/// The Precompiled normalizer: SentencePiece's `precompiled_charsmap` (as XLM-RoBERTa, ALBERT,
/// DeBERTa-v3, T5 ship it), a double-array trie over UTF-8 bytes whose values point into a blob of
/// NUL-terminated replacements; the layout is [u32 trie size in bytes][trie: u32 units][blob].
///
/// Applied as `tokenizers` applies it, oddities included, since ids and offsets must match: the
/// text is cut into grapheme clusters; a cluster shorter than 6 bytes is replaced whole by the
/// replacement of its SHORTEST prefix found in the trie (the rest of the cluster is lost);
/// otherwise, and when no prefix is found, each character on its own. Alignment as in
/// `Changes.replaceMany`, whose quirk (a removal at the very start is forgotten, so what follows is
/// aligned one character early) `tokenizers` has too.
struct Precompiled: Normalizer {
    private let units: [UInt32]
    private let blob: [UInt8]

    static func fromJson(_ n: JSONObject) throws -> Precompiled {
        guard let encoded = n["precompiled_charsmap"]?.string else {
            throw UnsupportedTokenizerError("Precompiled normalizer without precompiled_charsmap")
        }
        guard let data = Data(base64Encoded: encoded) else {
            throw UnsupportedTokenizerError("Precompiled precompiled_charsmap is not base64")
        }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard bytes.count >= 4 else { throw UnsupportedTokenizerError("Precompiled precompiled_charsmap is truncated") }
        let trieBytes = Int(u32(0))
        guard 4 + trieBytes <= bytes.count else { throw UnsupportedTokenizerError("Precompiled precompiled_charsmap is truncated") }
        return Precompiled(units: (0..<(trieBytes / 4)).map { u32(4 + 4 * $0) }, blob: Array(bytes[(4 + trieBytes)...]))
    }

    /// DoubleArray::common_prefix_search, first (shortest) result only: a blob offset or nil.
    private func shortestPrefix(_ key: [UInt8]) -> Int? {
        func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }
        guard let root = units.first else { return nil }
        var node = offset(root)
        for b in key {
            if b == 0 { break }
            node ^= Int(b)
            guard node >= 0 && node < units.count else { return nil }
            let unit = units[node]
            if unit & ((1 << 31) | 0xFF) != UInt32(b) { return nil }
            node ^= offset(unit)
            guard node >= 0 && node < units.count else { return nil }
            if (unit >> 8) & 1 == 1 { return Int(units[node] & 0x7FFF_FFFF) }
        }
        return nil
    }

    /// The replacement of `chunk`'s shortest prefix in the trie, as code points; nil when none.
    private func transform(_ chunk: ArraySlice<UInt32>) -> [UInt32]? {
        var key: [UInt8] = []
        for c in chunk { appendUTF8(c, to: &key) }
        guard let at = shortestPrefix(key), at <= blob.count else { return nil }
        var end = at
        while end < blob.count && blob[end] != 0 { end += 1 }
        return scalars(String(decoding: blob[at..<end], as: UTF8.self))
    }

    func normalize(_ n: Normalized) -> Normalized {
        var out = Changes()
        var modified = false
        for (start, end) in Graphemes.split(n.cps) {
            let cluster = n.cps[start..<end]
            if utf8Length(cluster) < 6, let whole = transform(cluster) {
                modified = true
                out.replaceMany(cluster.count, whole)
                continue
            }
            for k in start..<end {
                if let one = transform(n.cps[k...k]) {
                    modified = true
                    out.replaceMany(1, one)
                } else {
                    out.add(n.cps[k], 0)
                }
            }
        }
        return modified ? n.transform(out) : n
    }
}

/// Extended grapheme clusters, as far as Precompiled can tell them apart: CR LF; nothing joins a
/// control character; Extend, ZWJ and SpacingMark join what precedes them; Prepend joins what
/// follows. The other rules (Hangul syllables, regional-indicator pairs, emoji ZWJ sequences, Indic
/// conjuncts) only make clusters of 6 bytes or more, which Precompiled reads character by character
/// anyway. Classes measured from `tokenizers` (UnicodeTables), not Swift's own Character breaks.
enum Graphemes {
    static func split(_ cps: [UInt32]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var start = 0
        var k = 1
        while k <= cps.count {
            if k == cps.count || breaksBetween(cps[k - 1], cps[k]) {
                if start < k { out.append((start, k)) }
                start = k
            }
            k += 1
        }
        return out
    }

    private static func breaksBetween(_ before: UInt32, _ after: UInt32) -> Bool {
        let data = UnicodeData.shared
        if before == 0x0D && after == 0x0A { return false }
        if data.has(before, .graphemeControl) || data.has(after, .graphemeControl) { return true }
        if data.has(after, .graphemeExtend) { return false }
        return !data.has(before, .graphemePrepend)
    }
}

func utf8Length<C: Collection>(_ cps: C) -> Int where C.Element == UInt32 {
    cps.reduce(0) { $0 + ($1 < 0x80 ? 1 : $1 < 0x800 ? 2 : $1 < 0x10000 ? 3 : 4) }
}
