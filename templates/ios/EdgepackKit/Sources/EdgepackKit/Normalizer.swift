import Foundation

/// BertNormalizer's steps; `Lowercase` is its lowercasing step alone.
struct Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool

    static func fromJson(_ value: JSONValue?) throws -> Normalizer? {
        guard let value = value else { return nil }
        guard let n = value.object else { throw UnsupportedTokenizerError("malformed normalizer") }
        switch n["type"]?.string {
        case "BertNormalizer":
            let lowercase = n["lowercase"]?.bool ?? true
            return Normalizer(cleanText: n["clean_text"]?.bool ?? true, handleChineseChars: n["handle_chinese_chars"]?.bool ?? true,
                                  stripAccents: n["strip_accents"]?.bool ?? lowercase, lowercase: lowercase)
        case "Lowercase":
            // `Lowercase` is BertNormalizer's lowercasing step alone.
            return Normalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true)
        default:
            throw UnsupportedTokenizerError("unsupported normalizer \(n["type"].text): only BertNormalizer and Lowercase are supported")
        }
    }
}

/// A normalized string: code points, and for each the index of the original code point it came from.
struct Normalized {
    let cps: [UInt32]
    let align: [Int]
}

/// original[from, to) through the normalizer (none: unchanged).
func normalizeRange(_ spec: Normalizer?, _ original: [UInt32], _ from: Int, _ to: Int) -> Normalized {
    guard let spec = spec else { return Normalized(cps: Array(original[from..<to]), align: Array(from..<to)) }
    let data = UnicodeData.shared
    // clean_text and handle_chinese_chars: every output character keeps the alignment
    // (original index) of the character it came from.
    var cps: [UInt32] = []
    var align: [Int] = []
    cps.reserveCapacity(to - from)
    align.reserveCapacity(to - from)
    for i in from..<to {
        var c = original[i]
        if spec.cleanText {
            if data.has(c, .control) { continue }
            if data.has(c, .cleanSpace) { c = 0x20 }
        }
        if spec.handleChineseChars && isChineseChar(c) {
            cps += [0x20, c, 0x20]
            align += [i, i, i]
        } else {
            cps.append(c)
            align.append(i)
        }
    }
    if spec.stripAccents { (cps, align) = stripAccents(cps, align) }
    if !spec.lowercase { return Normalized(cps: cps, align: align) }
    var lc: [UInt32] = []
    var la: [Int] = []
    lc.reserveCapacity(cps.count)
    la.reserveCapacity(cps.count)
    for k in 0..<cps.count {
        if let lower = data.lowercase(cps[k]) {
            for l in lower {
                lc.append(l)
                la.append(align[k])
            }
        } else {
            lc.append(cps[k])
            la.append(align[k])
        }
    }
    return Normalized(cps: lc, align: la)
}

/// NFD then removal of non-spacing marks, aligned the way `NormalizedString::transform` aligns
/// the output of unicode-normalization-alignments: characters are canonically reordered, the
/// k-th character that starts a decomposition takes the alignment of the k-th input character
/// (by position, not by origin), and the other characters of a decomposition take the alignment
/// of the last input character consumed.
private func stripAccents(_ cps: [UInt32], _ align: [Int]) -> ([UInt32], [Int]) {
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
        } else if let d = data.decomposition(c) {
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
    var outC: [UInt32] = []
    var outA: [Int] = []
    outC.reserveCapacity(ch.count)
    outA.reserveCapacity(ch.count)
    var consumed = 0
    for k in 0..<ch.count {
        let a: Int
        if first[k] {
            a = align[consumed]
            consumed += 1
        } else {
            a = consumed > 0 ? align[consumed - 1] : 0
        }
        if data.has(ch[k], .nonspacingMark) { continue }
        outC.append(ch[k])
        outA.append(a)
    }
    return (outC, outA)
}

private func isChineseChar(_ c: UInt32) -> Bool {
    (0x4E00...0x9FFF).contains(c) || (0x3400...0x4DBF).contains(c) || (0x20000...0x2A6DF).contains(c)
        || (0x2A700...0x2B73F).contains(c) || (0x2B740...0x2B81F).contains(c) || (0x2B920...0x2CEAF).contains(c)
        || (0xF900...0xFAFF).contains(c) || (0x2F800...0x2FA1F).contains(c)
}
