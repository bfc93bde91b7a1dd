import Foundation

/// A text `tokenizers` refuses to encode (OnlyFirst / OnlySecond truncation that cannot keep
/// to max_length); see `Tokenizer.encodeChecked`.
public struct TokenizationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// tokenizer.json `truncation`: `maxLength` counts the post-processor's special tokens.
struct Truncation {
    enum Strategy { case longestFirst, onlyFirst, onlySecond }

    let maxLength: Int
    let strategy: Strategy
    let left: Bool

    /// `a` and `b` cut to `limit` tokens together (the length left once special tokens are counted).
    /// Where `tokenizers` raises (OnlyFirst / OnlySecond that cannot keep to the limit) this throws
    /// when `strict`, else truncates longest-first.
    func truncate(_ a: Seq, _ b: Seq?, limit: Int, strict: Bool) throws -> (Seq, Seq?) {
        if limit <= 0 { return (a.truncated(to: 0, left: left), b?.truncated(to: 0, left: left)) }
        let total = a.count + (b?.count ?? 0)
        if total <= limit { return (a, b) }
        let toRemove = total - limit
        if strategy != .longestFirst {
            let first = strategy == .onlyFirst
            let target = first ? a : b
            if let target = target, target.count > toRemove {
                let cut = target.truncated(to: target.count - toRemove, left: left)
                return first ? (cut, b) : (a, cut)
            }
            if strict {
                throw TokenizationError(target == nil ? "Truncation error: Second sequence not provided"
                                                      : "Truncation error: Sequence to truncate too short to respect the provided max_length")
            }
        }
        guard let b = b else { return (a.truncated(to: total - toRemove, left: left), nil) }
        var n1 = a.count
        var n2 = b.count
        let swap = n1 > n2
        if swap { (n1, n2) = (n2, n1) }
        n2 = n1 > limit ? n1 : max(n1, limit - n1)
        if n1 + n2 > limit {
            n1 = limit / 2
            n2 = n1 + limit % 2
        }
        if swap { (n1, n2) = (n2, n1) }
        return (a.truncated(to: n1, left: left), b.truncated(to: n2, left: left))
    }

    static func fromJson(_ value: JSONValue?) throws -> Truncation? {
        guard let value = value else { return nil }
        guard let t = value.object else { throw UnsupportedTokenizerError("malformed truncation") }
        let strategy: Strategy
        switch t["strategy"]?.string ?? "LongestFirst" {
        case "LongestFirst": strategy = .longestFirst
        case "OnlyFirst": strategy = .onlyFirst
        case "OnlySecond": strategy = .onlySecond
        case let other: throw UnsupportedTokenizerError("unsupported truncation strategy \(other)")
        }
        return Truncation(maxLength: try intValue(t["max_length"], "max_length"), strategy: strategy,
                          left: (t["direction"]?.string ?? "Right") == "Left")
    }
}

/// tokenizer.json `padding`: to a fixed length or the sequence's own, rounded up to `multipleOf`.
struct Padding {
    let fixed: Int?
    let left: Bool
    let multipleOf: Int?
    let padId: Int
    let padTypeId: Int
    let padToken: String

    func apply(_ s: Seq) -> Seq {
        var target = fixed ?? s.count
        if let multiple = multipleOf, multiple > 0, target % multiple > 0 { target += multiple - target % multiple }
        let missing = target - s.count
        if missing <= 0 { return s }
        var pad = Seq()
        for _ in 0..<missing { pad.add(padId, padTypeId, padToken, 0, 0, 0) }
        var out = Seq()
        if left {
            out.append(pad)
            out.append(s)
        } else {
            out.append(s)
            out.append(pad)
        }
        return out
    }

    static func fromJson(_ value: JSONValue?) throws -> Padding? {
        guard let value = value else { return nil }
        guard let p = value.object else { throw UnsupportedTokenizerError("malformed padding") }
        let fixed: Int?
        if p["strategy"]?.string == "BatchLongest" {
            fixed = nil
        } else if let s = p["strategy"]?.object {
            fixed = try intValue(s["Fixed"], "padding length")
        } else {
            throw UnsupportedTokenizerError("unsupported padding strategy \(p["strategy"].text)")
        }
        return Padding(fixed: fixed, left: p["direction"]?.string == "Left", multipleOf: p["pad_to_multiple_of"]?.int,
                       padId: p["pad_id"]?.int ?? 0, padTypeId: p["pad_type_id"]?.int ?? 0,
                       padToken: p["pad_token"]?.string ?? "[PAD]")
    }
}
