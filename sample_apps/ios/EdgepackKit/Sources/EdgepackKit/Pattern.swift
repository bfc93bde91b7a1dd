import Foundation

/// A tokenizer.json `pattern` ({"String": ...} or {"Regex": ...}) of the Replace normalizer and the
/// Split pre-tokenizer. Strings match literally, left to right, without overlaps. Regexes are the
/// subset the released converters write (`" {2,}"`, `"\\A +| +\\z"`, `"\\A▁"`, escaped literals
/// joined by `|`, `"\\s+"`, `"\\s{2,}|[\\n\\r\\t]"`): literal characters and escapes, classes of them
/// (`[abc]`, `[a-z]`), `\s` (Oniguruma's whitespace, from UnicodeData), the anchors `\A` and `\z`,
/// greedy `+ * ? {n} {n,} {n,m}`, and `|` between branches, matched leftmost-first as Oniguruma
/// does. Anything else (negated classes, groups, `.`, lazy quantifiers, a pattern that can match
/// nothing) is refused by name.
struct Pattern: Sendable {
    private enum Kind: Sendable { case char, space, start, end, set }

    private struct Atom: Sendable {
        let kind: Kind
        let cp: UInt32
        let min: Int
        let max: Int
        let members: Set<UInt32>

        func accepts(_ c: UInt32) -> Bool {
            switch kind {
            case .space: return UnicodeData.shared.has(c, .regexSpace)
            case .set: return members.contains(c)
            default: return c == cp
            }
        }
    }

    private let literal: [UInt32]?
    private let branches: [[Atom]]

    static func literal(_ cps: [UInt32]) -> Pattern { Pattern(literal: cps, branches: []) }

    /// The [start, end) ranges of cps[from, to) that match, in order, without overlaps.
    func findMatches(_ cps: [UInt32], _ from: Int, _ to: Int) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var p = from
        while p < to {
            let end = matchAt(cps, p, from, to)
            if end < 0 {
                p += 1
                continue
            }
            out.append((p, end))
            p = end
        }
        return out
    }

    private func matchAt(_ cps: [UInt32], _ p: Int, _ from: Int, _ to: Int) -> Int {
        if let lit = literal {
            if p + lit.count > to { return -1 }
            for k in 0..<lit.count where cps[p + k] != lit[k] { return -1 }
            return p + lit.count
        }
        for branch in branches {
            let end = matchAtoms(branch, 0, cps, p, from, to)
            if end >= 0 { return end }
        }
        return -1
    }

    private func matchAtoms(_ atoms: [Atom], _ i: Int, _ cps: [UInt32], _ pos: Int, _ from: Int, _ to: Int) -> Int {
        if i == atoms.count { return pos }
        let a = atoms[i]
        switch a.kind {
        case .start: return pos == from ? matchAtoms(atoms, i + 1, cps, pos, from, to) : -1
        case .end: return pos == to ? matchAtoms(atoms, i + 1, cps, pos, from, to) : -1
        default:
            var n = 0
            while n < a.max && pos + n < to && a.accepts(cps[pos + n]) { n += 1 }
            while n >= a.min {
                let end = matchAtoms(atoms, i + 1, cps, pos + n, from, to)
                if end >= 0 { return end }
                n -= 1
            }
            return -1
        }
    }

    static func fromJson(_ value: JSONValue?, _ place: String) throws -> Pattern {
        guard let m = value?.object else { throw UnsupportedTokenizerError("\(place) has no pattern") }
        if let s = m["String"]?.string {
            if s.isEmpty { throw UnsupportedTokenizerError("unsupported \(place) pattern: an empty string") }
            return .literal(scalars(s))
        }
        guard let regex = m["Regex"]?.string else { throw UnsupportedTokenizerError("\(place) pattern is neither String nor Regex") }
        return Pattern(literal: nil, branches: try parse(regex, place))
    }

    private static func parse(_ regex: String, _ place: String) throws -> [[Atom]] {
        func refuse(_ why: String) -> UnsupportedTokenizerError {
            UnsupportedTokenizerError("unsupported \(place) regex \"\(regex)\": \(why) (supported: literals, \\s, \\A, \\z, + * ? {n,m} and |)")
        }
        func isAsciiAlphanumeric(_ c: UInt32) -> Bool { (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
        func escaped(_ e: UInt32) throws -> UInt32 {
            switch e {
            case 0x6E: return 0x0A  // \n
            case 0x74: return 0x09  // \t
            case 0x72: return 0x0D  // \r
            default:
                if isAsciiAlphanumeric(e) { throw refuse("the escape \\\(Character(Unicode.Scalar(e)!))") }
                return e
            }
        }
        let cps = scalars(regex)
        var branches: [[Atom]] = []
        var atoms: [Atom] = []
        var i = 0
        while i < cps.count {
            let c = cps[i]
            i += 1
            var kind = Kind.char
            var cp = c
            var members = Set<UInt32>()
            switch c {
            case 0x7C:  // |
                branches.append(atoms)
                atoms = []
                continue
            case 0x5B:  // [
                kind = .set
                if i < cps.count && cps[i] == 0x5E { throw refuse("a negated class") }
                while true {
                    if i >= cps.count { throw refuse("an unclosed [") }
                    var m = cps[i]
                    i += 1
                    if m == 0x5D { break }
                    if m == 0x5B { throw refuse("a nested class") }
                    if m == 0x5C {
                        if i >= cps.count { throw refuse("a trailing backslash") }
                        m = try escaped(cps[i])
                        i += 1
                    }
                    if i + 1 < cps.count && cps[i] == 0x2D && cps[i + 1] != 0x5D {
                        var to = cps[i + 1]
                        i += 2
                        if to == 0x5C {
                            if i >= cps.count { throw refuse("a trailing backslash") }
                            to = try escaped(cps[i])
                            i += 1
                        }
                        if m <= to { for x in m...to { members.insert(x) } }
                    } else {
                        members.insert(m)
                    }
                }
            case 0x5C:  // backslash
                if i >= cps.count { throw refuse("a trailing backslash") }
                let e = cps[i]
                i += 1
                switch e {
                case 0x73: kind = .space  // \s
                case 0x41: kind = .start  // \A
                case 0x7A: kind = .end    // \z
                default: cp = try escaped(e)
                }
            case 0x28, 0x29, 0x5D, 0x2E, 0x5E, 0x24, 0x2B, 0x2A, 0x3F, 0x7B:  // ( ) ] . ^ $ + * ? {
                throw refuse("'\(Character(Unicode.Scalar(c)!))' here")
            default:
                break
            }
            var lo = 1
            var hi = 1
            if i < cps.count && kind != .start && kind != .end {
                switch cps[i] {
                case 0x2B:
                    hi = Int.max
                    i += 1
                case 0x2A:
                    lo = 0
                    hi = Int.max
                    i += 1
                case 0x3F:
                    lo = 0
                    i += 1
                case 0x7B:
                    guard let close = (i..<cps.count).first(where: { cps[$0] == 0x7D }) else { throw refuse("an unclosed {") }
                    let body = scalarsToString(cps[(i + 1)..<close])
                    let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                    guard let first = Int(parts[0]) else { throw refuse("the quantifier {\(body)}") }
                    lo = first
                    if parts.count == 1 {
                        hi = first
                    } else if parts.count == 2 && parts[1].isEmpty {
                        hi = Int.max
                    } else if parts.count == 2, let second = Int(parts[1]) {
                        hi = second
                    } else {
                        throw refuse("the quantifier {\(body)}")
                    }
                    i = close + 1
                default:
                    break
                }
                if i < cps.count && (cps[i] == 0x3F || cps[i] == 0x2B) && (lo != 1 || hi != 1) {
                    throw refuse("a lazy or possessive quantifier")
                }
            }
            atoms.append(Atom(kind: kind, cp: cp, min: lo, max: hi, members: members))
        }
        branches.append(atoms)
        for b in branches where !b.contains(where: { $0.kind != .start && $0.kind != .end && $0.min > 0 }) {
            throw refuse("a branch that can match nothing")
        }
        return branches
    }
}
