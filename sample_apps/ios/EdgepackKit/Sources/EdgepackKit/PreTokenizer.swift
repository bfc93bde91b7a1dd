import Foundation

/// A split of a sequence: either already tokens (an added token) or normalized text to tokenize.
struct Split {
    let normalized: Normalized
    let start: Int
    let end: Int
    let tokens: [Tok]?
}

/// tokenizer.json `pre_tokenizer`: none, BertPreTokenizer or ByteLevel.
enum PreTokenizer {
    case none
    case bert
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)

    /// The words of `s`, appended to `words`.
    func preTokenize(_ s: Split, _ words: inout [Split]) {
        switch self {
        case .none: words.append(s)
        case .bert: bertPreTokenize(s, &words)
        case .byteLevel(let addPrefixSpace, let useRegex): byteLevelPreTokenize(s, addPrefixSpace, useRegex, &words)
        }
    }

    static func fromJson(_ value: JSONValue?) throws -> PreTokenizer {
        guard let value = value else { return .none }
        guard let p = value.object else { throw UnsupportedTokenizerError("malformed pre_tokenizer") }
        switch p["type"]?.string {
        case "BertPreTokenizer": return .bert
        case "ByteLevel": return .byteLevel(addPrefixSpace: p["add_prefix_space"]?.bool ?? true, useRegex: p["use_regex"]?.bool ?? true)
        default:
            throw UnsupportedTokenizerError("unsupported pre_tokenizer \(p["type"].text): only BertPreTokenizer and ByteLevel are supported")
        }
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
    cps.reserveCapacity(s.end - s.start + 1)
    align.reserveCapacity(s.end - s.start + 1)
    if prefix {
        cps.append(0x20)
        align.append(src.align[s.start])
    }
    cps += src.cps[s.start..<s.end]
    align += src.align[s.start..<s.end]
    let pieces = useRegex ? ByteLevelRegex.split(cps) : [(0, cps.count)]
    var utf8: [UInt8] = []
    for (a, b) in pieces {
        var bytes: [UInt32] = []
        var bytesAlign: [Int] = []
        bytes.reserveCapacity((b - a) * 2)
        bytesAlign.reserveCapacity((b - a) * 2)
        for i in a..<b {
            utf8.removeAll(keepingCapacity: true)
            appendUTF8(cps[i], to: &utf8)
            for byte in utf8 {
                bytes.append(ByteLevelRegex.byteChar[Int(byte)])
                bytesAlign.append(align[i])
            }
        }
        words.append(Split(normalized: Normalized(cps: bytes, align: bytesAlign), start: 0, end: bytes.count, tokens: nil))
    }
}

/// The GPT-2 split regex of the ByteLevel pre-tokenizer, and its byte-to-unicode table.
private enum ByteLevelRegex {
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
