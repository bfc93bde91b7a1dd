import Foundation

/// A split of a sequence: either already tokens (an added token) or normalized text to tokenize.
struct Split {
    let normalized: Normalized
    let start: Int
    let end: Int
    let tokens: [Tok]?
}

/// tokenizer.json `pre_tokenizer`: cuts a split into words.
indirect enum PreTokenizer: Sendable {
    case none
    case bert
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// WhitespaceSplit: the runs between whitespace characters (Rust char::is_whitespace).
    case whitespaceSplit
    case metaspace(Metaspace)
    case split(SplitPattern)
    /// Each step runs on every word of the step before.
    case sequence([PreTokenizer])

    /// The words of `s`, appended to `words`.
    func preTokenize(_ s: Split, _ words: inout [Split]) {
        switch self {
        case .none: words.append(s)
        case .bert: bertPreTokenize(s, &words)
        case .byteLevel(let addPrefixSpace, let useRegex): byteLevelPreTokenize(s, addPrefixSpace, useRegex, &words)
        case .whitespaceSplit: splitOnWhitespace(s, &words)
        case .metaspace(let m): m.preTokenize(s, &words)
        case .split(let p): p.preTokenize(s, &words)
        case .sequence(let steps):
            var current = [s]
            for step in steps {
                var next: [Split] = []
                for w in current { step.preTokenize(w, &next) }
                current = next
            }
            words += current
        }
    }

    /// The pre-tokenizers this kit implements, by tokenizer.json type.
    private static let readers = ComponentReaders<PreTokenizer>(kind: "pre_tokenizer", readers: [
        ("BertPreTokenizer", { _ in .bert }),
        ("ByteLevel", { .byteLevel(addPrefixSpace: $0["add_prefix_space"]?.bool ?? true, useRegex: $0["use_regex"]?.bool ?? true) }),
        ("WhitespaceSplit", { _ in .whitespaceSplit }),
        ("Metaspace", { .metaspace(try Metaspace.fromJson($0)) }),
        ("Split", { .split(try SplitPattern.fromJson($0)) }),
        ("Sequence", { .sequence(try ($0["pretokenizers"]?.array ?? []).map { try PreTokenizer.fromJson($0) }) }),
    ])

    static func fromJson(_ value: JSONValue?) throws -> PreTokenizer { try readers.read(value) ?? .none }
}

private func splitOnWhitespace(_ s: Split, _ words: inout [Split]) {
    let data = UnicodeData.shared
    var start = -1
    for i in s.start..<s.end {
        if data.has(s.normalized.cps[i], .whitespace) {
            if start >= 0 { words.append(Split(normalized: s.normalized, start: start, end: i, tokens: nil)); start = -1 }
        } else if start < 0 {
            start = i
        }
    }
    if start >= 0 { words.append(Split(normalized: s.normalized, start: start, end: s.end, tokens: nil)) }
}

/// Metaspace (SentencePiece's word boundary): every ' ' becomes `replacement` (aligned with the
/// space), `replacement` is put before the split unless it starts with one (`always`; `first`: only
/// for the split that starts the text; `never`), then, with `split`, each replacement starts a new word.
struct Metaspace: Sendable {
    let replacement: UInt32
    let prependScheme: String
    let split: Bool

    static func fromJson(_ v: JSONObject) throws -> Metaspace {
        let replacement = scalars(v["replacement"]?.string ?? "\u{2581}")
        guard replacement.count == 1 else { throw UnsupportedTokenizerError("unsupported Metaspace replacement: one character is supported") }
        // Files written before prepend_scheme existed say add_prefix_space instead.
        let scheme = v["prepend_scheme"]?.string ?? (v["add_prefix_space"]?.bool == false ? "never" : "always")
        guard ["always", "first", "never"].contains(scheme) else { throw UnsupportedTokenizerError("unsupported Metaspace prepend_scheme \(scheme)") }
        return Metaspace(replacement: replacement[0], prependScheme: scheme, split: v["split"]?.bool ?? true)
    }

    func preTokenize(_ s: Split, _ words: inout [Split]) {
        if s.end <= s.start { return }
        var n = Replace(pattern: .literal([0x20]), content: [replacement]).normalize(s.normalized.slice(s.start, s.end))
        let wanted = prependScheme == "always" || (prependScheme == "first" && n.origin == 0)
        if wanted && n.cps[0] != replacement { n = prepend(n, [replacement]) }
        if !split {
            words.append(Split(normalized: n, start: 0, end: n.cps.count, tokens: nil))
            return
        }
        var start = 0
        for k in 1..<max(n.cps.count, 1) where n.cps[k] == replacement {
            words.append(Split(normalized: n, start: start, end: k, tokens: nil))
            start = k
        }
        words.append(Split(normalized: n, start: start, end: n.cps.count, tokens: nil))
    }
}

/// The Split pre-tokenizer: cuts at each match of `pattern` (or between them, `invert`), and keeps
/// the matches as `behavior` says.
struct SplitPattern: Sendable {
    let pattern: Pattern
    let behavior: String
    let invert: Bool

    private static let behaviors = ["removed": "Removed", "isolated": "Isolated", "contiguous": "Contiguous",
                                    "merged_with_previous": "MergedWithPrevious", "merged_with_next": "MergedWithNext"]

    static func fromJson(_ v: JSONObject) throws -> SplitPattern {
        let raw = v["behavior"]?.string ?? "Removed"
        guard let behavior = behaviors[raw] ?? (behaviors.values.contains(raw) ? raw : nil) else {
            throw UnsupportedTokenizerError("unsupported Split behavior \(raw)")
        }
        return SplitPattern(pattern: try Pattern.fromJson(v["pattern"], "Split pre-tokenizer"), behavior: behavior,
                            invert: v["invert"]?.bool ?? false)
    }

    func preTokenize(_ s: Split, _ words: inout [Split]) {
        // Every part of the split in order: (start, end, is a match).
        var parts: [(Int, Int, Bool)] = []
        var at = s.start
        for (a, b) in pattern.findMatches(s.normalized.cps, s.start, s.end) {
            if at < a { parts.append((at, a, invert)) }
            parts.append((a, b, !invert))
            at = b
        }
        if at < s.end || parts.isEmpty { parts.append((at, s.end, invert)) }
        // SplitDelimiterBehavior: (start, end, removed).
        let kept: [(Int, Int, Bool)]
        switch behavior {
        case "Removed": kept = parts
        case "Isolated": kept = parts.map { ($0.0, $0.1, false) }
        case "Contiguous": kept = merge(parts) { hasLast, match, previous in hasLast && match == previous }
        case "MergedWithPrevious": kept = merge(parts) { hasLast, match, previous in hasLast && match && !previous }
        default: kept = merge(parts.reversed()) { hasLast, match, previous in hasLast && match && !previous }.reversed()
        }
        for (a, b, removed) in kept where !removed && a < b {
            words.append(Split(normalized: s.normalized, start: a, end: b, tokens: nil))
        }
    }

    /// Parts folded in order: a part that `joins` the last kept one widens it instead of being kept.
    private func merge(_ parts: [(Int, Int, Bool)], _ joins: (Bool, Bool, Bool) -> Bool) -> [(Int, Int, Bool)] {
        var out: [(Int, Int, Bool)] = []
        var previous = false
        for p in parts {
            if joins(!out.isEmpty, p.2, previous) {
                let last = out[out.count - 1]
                out[out.count - 1] = (min(last.0, p.0), max(last.1, p.1), false)
            } else {
                out.append((p.0, p.1, false))
            }
            previous = p.2
        }
        return out
    }
}

private func bertPreTokenize(_ s: Split, _ words: inout [Split]) {
    let cps = s.normalized.cps
    let data = UnicodeData.shared
    var wordStart = -1
    for i in s.start..<s.end {
        let c = cps[i]
        if data.has(c, .whitespace) {
            if wordStart >= 0 { words.append(Split(normalized: s.normalized, start: wordStart, end: i, tokens: nil)); wordStart = -1 }
        } else if data.has(c, .punctuation) {
            if wordStart >= 0 { words.append(Split(normalized: s.normalized, start: wordStart, end: i, tokens: nil)); wordStart = -1 }
            words.append(Split(normalized: s.normalized, start: i, end: i + 1, tokens: nil))
        } else if wordStart < 0 {
            wordStart = i
        }
    }
    if wordStart >= 0 { words.append(Split(normalized: s.normalized, start: wordStart, end: s.end, tokens: nil)) }
}

/// ByteLevel: a space before the split (add_prefix_space, unless it starts with one; the space
/// is aligned with the split's first character), the GPT-2 regex split, then every UTF-8 byte
/// mapped to its GPT-2 byte character, aligned with the character it came from.
private func byteLevelPreTokenize(_ s: Split, _ addPrefixSpace: Bool, _ useRegex: Bool, _ words: inout [Split]) {
    if s.end <= s.start { return }
    let src = s.normalized
    let prefix = addPrefixSpace && src.cps[s.start] != 0x20
    var cps: [UInt32] = []
    var align: [Int] = []
    var alignEnd: [Int] = []
    cps.reserveCapacity(s.end - s.start + 1)
    align.reserveCapacity(s.end - s.start + 1)
    if prefix {
        cps.append(0x20)
        align.append(src.align[s.start])
        alignEnd.append(src.alignEnd[s.start])
    }
    cps += src.cps[s.start..<s.end]
    align += src.align[s.start..<s.end]
    alignEnd += src.alignEnd[s.start..<s.end]
    let pieces = useRegex ? ByteLevelRegex.split(cps) : [(0, cps.count)]
    var utf8: [UInt8] = []
    for (a, b) in pieces {
        var bytes: [UInt32] = []
        var bytesAlign: [Int] = []
        var bytesAlignEnd: [Int] = []
        bytes.reserveCapacity((b - a) * 2)
        bytesAlign.reserveCapacity((b - a) * 2)
        for i in a..<b {
            utf8.removeAll(keepingCapacity: true)
            appendUTF8(cps[i], to: &utf8)
            for byte in utf8 {
                bytes.append(ByteLevelRegex.byteChar[Int(byte)])
                bytesAlign.append(align[i])
                bytesAlignEnd.append(alignEnd[i])
            }
        }
        words.append(Split(normalized: Normalized(cps: bytes, align: bytesAlign, alignEnd: bytesAlignEnd), start: 0, end: bytes.count, tokens: nil))
    }
}

/// The GPT-2 split regex of the ByteLevel pre-tokenizer, and its byte-to-unicode table.
enum ByteLevelRegex {
    static let byteChar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = 256 + n
                n += 1
            }
        }
        return table
    }()

    private static let contractions: [[UInt32]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { scalars($0) }

    private enum CharClass { case letter, number, other }

    private static func inClass(_ c: UInt32, _ cls: CharClass, _ data: UnicodeData) -> Bool {
        switch cls {
        case .letter: return data.has(c, .regexLetter)
        case .number: return data.has(c, .regexNumber)
        case .other: return !data.has(c, .regexSpace) && !data.has(c, .regexLetter) && !data.has(c, .regexNumber)
        }
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (Oniguruma,
    /// leftmost-first), as SplitDelimiterBehavior::Isolated: matches and the text between them.
    static func split(_ cps: [UInt32]) -> [(Int, Int)] {
        let data = UnicodeData.shared
        let n = cps.count
        var out: [(Int, Int)] = []
        var gap = 0
        var p = 0
        while p < n {
            let end = matchAt(cps, p, data)
            if end < 0 { p += 1; continue }
            if gap < p { out.append((gap, p)) }
            out.append((p, end))
            p = end
            gap = end
        }
        if gap < n { out.append((gap, n)) }
        return out
    }

    /// End of the match starting at `p`, or -1.
    private static func matchAt(_ cps: [UInt32], _ p: Int, _ data: UnicodeData) -> Int {
        let n = cps.count
        let c = cps[p]
        if c == 0x27 {  // '
            for tail in contractions where p + 1 + tail.count <= n {
                var ok = true
                for k in 0..<tail.count where cps[p + 1 + k] != tail[k] {
                    ok = false
                    break
                }
                if ok { return p + 1 + tail.count }
            }
        }
        // ` ?X+` for X = \p{L}, \p{N}, [^\s\p{L}\p{N}]: the optional space is tried first.
        for cls in [CharClass.letter, .number, .other] {
            let from: Int
            if c == 0x20 && p + 1 < n && inClass(cps[p + 1], cls, data) {
                from = p + 1
            } else if inClass(c, cls, data) {
                from = p
            } else {
                continue
            }
            var e = from + 1
            while e < n && inClass(cps[e], cls, data) { e += 1 }
            return e
        }
        // `\s+(?!\S)`, then `\s+`.
        var r = p
        while r < n && data.has(cps[r], .regexSpace) { r += 1 }
        if r == p { return -1 }
        if r == n { return r }
        return r - p >= 2 ? r - 1 : r
    }
}
