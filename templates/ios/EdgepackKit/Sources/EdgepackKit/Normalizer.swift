import Foundation

/// A normalized string, as `tokenizers`' NormalizedString holds it: code points, and for each the
/// range [align, alignEnd) of original code points it came from. `origin` is where the text starts
/// in the original: a character inserted before every other one is aligned there, empty.
struct Normalized {
    let cps: [UInt32]
    let align: [Int]
    let alignEnd: [Int]
    let origin: Int

    init(cps: [UInt32], align: [Int], alignEnd: [Int]? = nil, origin: Int? = nil) {
        self.cps = cps
        self.align = align
        self.alignEnd = alignEnd ?? align.map { $0 + 1 }
        self.origin = origin ?? align.first ?? 0
    }

    /// original[from, to) before any normalization.
    static func of(_ original: [UInt32], _ from: Int, _ to: Int) -> Normalized {
        Normalized(cps: Array(original[from..<to]), align: Array(from..<to), alignEnd: Array((from + 1)..<(to + 1)), origin: from)
    }

    /// [from, to) as its own string; its origin is where its first character comes from.
    func slice(_ from: Int, _ to: Int) -> Normalized {
        Normalized(cps: Array(cps[from..<to]), align: Array(align[from..<to]), alignEnd: Array(alignEnd[from..<to]),
                   origin: from < align.count ? align[from] : origin)
    }

    /// NormalizedString::transform: `out` lists every new code point with its change, 1 for an
    /// inserted character (aligned with the character before it, or empty at the start), 0 for one
    /// that replaces the next old character, -n for one that replaces it and removes the n after it;
    /// `removedFirst` old characters are removed before the first.
    func transform(_ out: Changes, removedFirst: Int = 0) -> Normalized {
        var a: [Int] = []
        var e: [Int] = []
        a.reserveCapacity(out.count)
        e.reserveCapacity(out.count)
        var j = removedFirst
        for change in out.changes {
            if change > 0 {
                a.append(j < 1 ? origin : align[j - 1])
                e.append(j < 1 ? origin : alignEnd[j - 1])
            } else {
                a.append(align[j])
                e.append(alignEnd[j])
                j += 1 - change
            }
        }
        return Normalized(cps: out.cps, align: a, alignEnd: e, origin: origin)
    }

    /// NormalizedString::filter: the characters `keep` rejects leave, the others keep their alignment.
    func filter(_ keep: (UInt32) -> Bool) -> Normalized {
        let kept = cps.indices.filter { keep(cps[$0]) }
        if kept.count == cps.count { return self }
        return Normalized(cps: kept.map { cps[$0] }, align: kept.map { align[$0] }, alignEnd: kept.map { alignEnd[$0] }, origin: origin)
    }

    /// NormalizedString::map: each character replaced by one other, same alignment.
    func map(_ f: (UInt32) -> UInt32) -> Normalized {
        Normalized(cps: cps.map(f), align: align, alignEnd: alignEnd, origin: origin)
    }
}

/// New code points and their changes, for `Normalized.transform`.
struct Changes {
    private(set) var cps: [UInt32] = []
    private(set) var changes: [Int] = []
    var count: Int { cps.count }

    mutating func add(_ c: UInt32, _ change: Int) {
        cps.append(c)
        changes.append(change)
    }

    /// `replacement` in place of one character: the first replaces it, the others are inserted.
    mutating func replaceOne(_ replacement: [UInt32]) {
        for (i, c) in replacement.enumerated() { add(c, i == 0 ? 0 : 1) }
    }

    /// `replacement` for the next `replaced` old characters, as `tokenizers`' Precompiled records it:
    /// each new character replaces an old one; extra new ones are insertions; old ones left over are
    /// removed by the last change recorded so far (none at the start: the removal is lost).
    mutating func replaceMany(_ replaced: Int, _ replacement: [UInt32]) {
        for c in replacement { add(c, 0) }
        let diff = replacement.count - replaced
        if diff > 0 {
            for k in (changes.count - diff)..<changes.count { changes[k] = 1 }
        } else if diff < 0 && !changes.isEmpty {
            changes[changes.count - 1] += diff
        }
    }
}

/// tokenizer.json `normalizer`: one step of `tokenizers`' normalizers.
protocol Normalizer: Sendable {
    func normalize(_ n: Normalized) -> Normalized
}

/// The normalizers this kit implements, by tokenizer.json type: a new one is one line here.
enum Normalizers {
    private static let readers = ComponentReaders<any Normalizer>(kind: "normalizer", readers: [
        ("BertNormalizer", { BertNormalizer.fromJson($0) }),
        ("Lowercase", { _ in Lowercase() }),
        ("NFD", { _ in Decompose(compatibility: false) }),
        ("NFKD", { _ in Decompose(compatibility: true) }),
        ("NFC", { _ in Compose(compatibility: false) }),
        ("NFKC", { _ in Compose(compatibility: true) }),
        ("StripAccents", { _ in StripAccents() }),
        ("Nmt", { _ in Nmt() }),
        ("Strip", { Strip(left: $0["strip_left"]?.bool ?? true, right: $0["strip_right"]?.bool ?? true) }),
        ("Prepend", {
            guard let prefix = $0["prepend"]?.string else { throw UnsupportedTokenizerError("Prepend normalizer without prepend") }
            return Prepend(prefix: scalars(prefix))
        }),
        ("Replace", { Replace(pattern: try Pattern.fromJson($0["pattern"], "Replace normalizer"), content: scalars($0["content"]?.string ?? "")) }),
        ("Precompiled", { try Precompiled.fromJson($0) }),
        ("Sequence", { SequenceNormalizer(steps: try ($0["normalizers"]?.array ?? []).compactMap { try Normalizers.fromJson($0) }) }),
    ])

    static func fromJson(_ value: JSONValue?) throws -> (any Normalizer)? { try readers.read(value) }
}

/// original[from, to) through the normalizer (none: unchanged).
func normalizeRange(_ normalizer: (any Normalizer)?, _ original: [UInt32], _ from: Int, _ to: Int) -> Normalized {
    let n = Normalized.of(original, from, to)
    return normalizer?.normalize(n) ?? n
}

struct SequenceNormalizer: Normalizer {
    let steps: [any Normalizer]
    func normalize(_ n: Normalized) -> Normalized { steps.reduce(n) { $1.normalize($0) } }
}

/// BertNormalizer: clean_text, handle_chinese_chars, strip_accents, lowercase, in that order.
struct BertNormalizer: Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool

    static func fromJson(_ n: JSONObject) -> BertNormalizer {
        let lowercase = n["lowercase"]?.bool ?? true
        return BertNormalizer(cleanText: n["clean_text"]?.bool ?? true, handleChineseChars: n["handle_chinese_chars"]?.bool ?? true,
                              stripAccents: n["strip_accents"]?.bool ?? lowercase, lowercase: lowercase)
    }

    func normalize(_ n: Normalized) -> Normalized {
        let data = UnicodeData.shared
        var s = n
        if cleanText { s = s.filter { !data.has($0, .control) }.map { data.has($0, .cleanSpace) ? 0x20 : $0 } }
        if handleChineseChars {
            var out = Changes()
            for c in s.cps {
                if isChineseChar(c) {
                    out.add(0x20, 0)
                    out.add(c, 1)
                    out.add(0x20, 1)
                } else {
                    out.add(c, 0)
                }
            }
            s = s.transform(out)
        }
        if stripAccents { s = Decompose(compatibility: false).normalize(s).filter { !data.has($0, .nonspacingMark) } }
        if lowercase { s = Lowercase().normalize(s) }
        return s
    }
}

/// Rust char::to_lowercase per character (tables measured from `tokenizers`).
struct Lowercase: Normalizer {
    func normalize(_ n: Normalized) -> Normalized {
        let data = UnicodeData.shared
        var out = Changes()
        for c in n.cps { out.replaceOne(data.lowercase(c) ?? [c]) }
        return n.transform(out)
    }
}

/// StripAccents: every combining mark leaves (run after a decomposition to remove accents).
struct StripAccents: Normalizer {
    func normalize(_ n: Normalized) -> Normalized { n.filter { !UnicodeData.shared.has($0, .combiningMark) } }
}

/// Nmt: ASCII control characters leave, a few spaces and separators become ' '.
struct Nmt: Normalizer {
    func normalize(_ n: Normalized) -> Normalized {
        n.filter { c in !((0x01...0x08).contains(c) || c == 0x0B || (0x0E...0x1F).contains(c) || c == 0x7F || c == 0x8F || c == 0x9F) }
            .map { c in
                let space = c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (0x200B...0x200F).contains(c)
                    || c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD
                return space ? 0x20 : c
            }
    }
}

/// Strip: leading and/or trailing whitespace (Rust char::is_whitespace) leaves.
struct Strip: Normalizer {
    let left: Bool
    let right: Bool

    func normalize(_ n: Normalized) -> Normalized {
        let data = UnicodeData.shared
        var from = 0
        var to = n.cps.count
        if left { while from < to && data.has(n.cps[from], .whitespace) { from += 1 } }
        if right { while to > from && data.has(n.cps[to - 1], .whitespace) { to -= 1 } }
        if from == 0 && to == n.cps.count { return n }
        return Normalized(cps: Array(n.cps[from..<to]), align: Array(n.align[from..<to]), alignEnd: Array(n.alignEnd[from..<to]),
                          origin: n.origin)
    }
}

/// Prepend: `prefix` before a non-empty text, aligned with its first character.
struct Prepend: Normalizer {
    let prefix: [UInt32]
    func normalize(_ n: Normalized) -> Normalized { prepend(n, prefix) }
}

/// NormalizedString::prepend: the prefix replaces the first character, which is inserted again after it.
func prepend(_ n: Normalized, _ prefix: [UInt32]) -> Normalized {
    guard let first = n.cps.first, !prefix.isEmpty else { return n }
    var out = Changes()
    for (i, c) in prefix.enumerated() { out.add(c, i == 0 ? 0 : 1) }
    out.add(first, 1)
    for c in n.cps.dropFirst() { out.add(c, 0) }
    return n.transform(out)
}

/// Replace: every match of `pattern` becomes `content`, aligned with the last character it replaces.
struct Replace: Normalizer {
    let pattern: Pattern
    let content: [UInt32]

    func normalize(_ n: Normalized) -> Normalized {
        let matches = pattern.findMatches(n.cps, 0, n.cps.count)
        if matches.isEmpty { return n }
        var cps: [UInt32] = []
        var align: [Int] = []
        var alignEnd: [Int] = []
        var k = 0
        // The content is inserted after the removed match (NormalizedString::replace), so it takes
        // the alignment of the match's last character.
        for (s, e) in matches {
            cps += n.cps[k..<s]
            align += n.align[k..<s]
            alignEnd += n.alignEnd[k..<s]
            for c in content {
                cps.append(c)
                align.append(n.align[e - 1])
                alignEnd.append(n.alignEnd[e - 1])
            }
            k = e
        }
        cps += n.cps[k...]
        align += n.align[k...]
        alignEnd += n.alignEnd[k...]
        return Normalized(cps: cps, align: align, alignEnd: alignEnd, origin: n.origin)
    }
}

/// NFD / NFKD, aligned the way `NormalizedString::transform` aligns the output of
/// unicode-normalization-alignments: characters are canonically reordered, the k-th character that
/// starts a decomposition takes the alignment of the k-th input character (by position, not by
/// origin), and the other characters of a decomposition take the alignment of the last input
/// character consumed.
struct Decompose: Normalizer {
    let compatibility: Bool

    func normalize(_ n: Normalized) -> Normalized { n.transform(Decompose.changes(n.cps, compatibility: compatibility)) }

    /// The decomposition of `cps` in canonical order, each character with its change for `Normalized.transform`.
    static func changes(_ cps: [UInt32], compatibility: Bool) -> Changes {
        let data = UnicodeData.shared
        var ch: [UInt32] = []
        var first: [Bool] = []
        ch.reserveCapacity(cps.count + 8)
        first.reserveCapacity(cps.count + 8)
        for c in cps {
            if (0xAC00...0xD7A3).contains(c) {
                let s = c - 0xAC00
                ch.append(0x1100 + s / 588)
                first.append(true)
                ch.append(0x1161 + (s % 588) / 28)
                first.append(false)
                if s % 28 != 0 {
                    ch.append(0x11A7 + s % 28)
                    first.append(false)
                }
            } else if let d = (compatibility ? data.compatibilityDecomposition(c) : nil) ?? data.decomposition(c) {
                for (k, x) in d.enumerated() {
                    ch.append(x)
                    first.append(k == 0)
                }
            } else {
                ch.append(c)
                first.append(true)
            }
        }
        // Canonical ordering: stable sort by combining class within each run that follows a starter.
        func sortRun(_ a: Int, _ b: Int) {
            if b - a < 2 { return }
            let order = (a..<b).sorted { x, y in
                let cx = data.combiningClass(ch[x])
                let cy = data.combiningClass(ch[y])
                return cx != cy ? cx < cy : x < y
            }
            let c2 = order.map { ch[$0] }
            let f2 = order.map { first[$0] }
            for k in a..<b {
                ch[k] = c2[k - a]
                first[k] = f2[k - a]
            }
        }
        var runStart = 0
        for k in 0..<ch.count where data.combiningClass(ch[k]) == 0 {
            sortRun(runStart, k)
            runStart = k
        }
        sortRun(runStart, ch.count)
        var out = Changes()
        for k in 0..<ch.count { out.add(ch[k], first[k] ? 0 : 1) }
        return out
    }
}

/// NFC / NFKC: the decomposition, recomposed as unicode-normalization-alignments' Recompositions does it:
/// a mark composes with the last starter unless a mark of the same or a higher class stands between them;
/// a composed character's change is the sum of its parts' changes minus one (it replaces both).
struct Compose: Normalizer {
    let compatibility: Bool

    func normalize(_ n: Normalized) -> Normalized {
        let data = UnicodeData.shared
        let decomposed = Decompose.changes(n.cps, compatibility: compatibility)
        var out = Changes()
        var blocked: [(UInt32, Int)] = []  // marks after the starter that did not compose with it
        var starter: (ch: UInt32, change: Int)?
        var lastClass = -1  // class of the last mark kept in `blocked`; -1: none since the starter
        func flush() {
            if let s = starter { out.add(s.ch, s.change) }
            for (c, change) in blocked { out.add(c, change) }
            blocked.removeAll()
        }
        for (ch, change) in zip(decomposed.cps, decomposed.changes) {
            let cls = Int(data.combiningClass(ch))
            guard let current = starter else {
                if cls != 0 { out.add(ch, change) } else { starter = (ch, change) }
                continue
            }
            if lastClass < 0 || lastClass < cls, let composed = data.compose(current.ch, ch) {
                starter = (composed, current.change + change - 1)
            } else if cls == 0 {
                flush()
                starter = (ch, change)
                lastClass = -1
            } else {
                blocked.append((ch, change))
                lastClass = cls
            }
        }
        flush()
        return n.transform(out)
    }
}

private func isChineseChar(_ c: UInt32) -> Bool {
    (0x4E00...0x9FFF).contains(c) || (0x3400...0x4DBF).contains(c) || (0x20000...0x2A6DF).contains(c)
        || (0x2A700...0x2B73F).contains(c) || (0x2B740...0x2B81F).contains(c) || (0x2B920...0x2CEAF).contains(c)
        || (0xF900...0xFAFF).contains(c) || (0x2F800...0x2FA1F).contains(c)
}
