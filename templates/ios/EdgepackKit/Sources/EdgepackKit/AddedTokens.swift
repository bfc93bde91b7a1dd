import Foundation

/// One entry of tokenizer.json `added_tokens` (empty contents are dropped, as `tokenizers` does).
struct AddedToken {
    let content: String
    let id: Int
    let singleWord: Bool
    let lstrip: Bool
    let rstrip: Bool
    let normalized: Bool
    let special: Bool

    static func fromJson(_ value: JSONValue?) throws -> [AddedToken] {
        var out: [AddedToken] = []
        for raw in value?.array ?? [] {
            guard let m = raw.object, let content = m["content"]?.string else { throw UnsupportedTokenizerError("malformed added token \(raw.text)") }
            if content.isEmpty { continue }
            let special = m["special"]?.bool ?? false
            out.append(AddedToken(content: content, id: try intValue(m["id"], "added token id"),
                                  singleWord: m["single_word"]?.bool ?? false, lstrip: m["lstrip"]?.bool ?? false,
                                  rstrip: m["rstrip"]?.bool ?? false, normalized: m["normalized"]?.bool ?? !special,
                                  special: special))
        }
        return out
    }
}

/// Added tokens (as code points) found in a text, and the text split around them.
struct AddedTokenMatcher {
    private let byFirst: [UInt32: [(pattern: [UInt32], token: AddedToken)]]

    var isEmpty: Bool { byFirst.isEmpty }

    init(_ patterns: [([UInt32], AddedToken)]) {
        var groups: [UInt32: [(order: Int, pattern: [UInt32], token: AddedToken)]] = [:]
        for (order, (pattern, token)) in patterns.enumerated() where !pattern.isEmpty {
            groups[pattern[0], default: []].append((order, pattern, token))
        }
        // Longest first; equally long ones in tokenizer.json order.
        byFirst = groups.mapValues { group in
            group.sorted { $0.pattern.count != $1.pattern.count ? $0.pattern.count > $1.pattern.count : $0.order < $1.order }
                .map { (pattern: $0.pattern, token: $0.token) }
        }
    }

    /// Leftmost-longest match at or after `from`, ending at or before `to`.
    private func find(_ hay: [UInt32], _ from: Int, _ to: Int) -> (start: Int, stop: Int, token: AddedToken)? {
        var i = from
        while i < to {
            if let candidates = byFirst[hay[i]] {
                for (pattern, token) in candidates where i + pattern.count <= to {
                    var ok = true
                    for k in 1..<max(pattern.count, 1) where hay[i + k] != pattern[k] {
                        ok = false
                        break
                    }
                    if ok { return (i, i + pattern.count, token) }
                }
            }
            i += 1
        }
        return nil
    }

    /// AddedVocabulary::find_matches + split_with_indices over normalized[from, to).
    func split(_ n: Normalized, _ from: Int, _ to: Int) -> [Split] {
        var out: [Split] = []
        func piece(_ s: Int, _ e: Int, _ token: AddedToken?) {
            if s >= e { return }  // empty splits are dropped
            guard let token = token else {
                out.append(Split(normalized: n, start: s, end: e, tokens: nil))
                return
            }
            let value = scalarsToString(n.cps[s..<e])
            out.append(Split(normalized: n, start: s, end: e, tokens: [Tok(id: token.id, value: value, start: n.align[s], end: n.alignEnd[e - 1])]))
        }
        if isEmpty {
            piece(from, to, nil)
            return out
        }
        let data = UnicodeData.shared
        let hay = n.cps
        var startOffset = from
        var searchFrom = from
        while let match = find(hay, searchFrom, to) {
            var start = match.start
            var stop = match.stop
            let token = match.token
            searchFrom = stop
            if token.singleWord {
                let startSpace = start == from || !data.has(hay[start - 1], .word)
                let stopSpace = stop == to || !data.has(hay[stop], .word)
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var s = start
                while s > from && data.has(hay[s - 1], .whitespace) { s -= 1 }
                start = max(s, startOffset)
            }
            if token.rstrip {
                while stop < to && data.has(hay[stop], .whitespace) { stop += 1 }
            }
            if startOffset < start { piece(startOffset, start, nil) }
            piece(start, stop, token)
            startOffset = stop
        }
        if startOffset < to { piece(startOffset, to, nil) }
        return out
    }
}
