import Foundation

// On-device tokenization that reproduces Hugging Face `tokenizers` (tokenizer.json) id for id
// and offset for offset; a port of the Android kit's Tokenizer.kt, proven the same way
// (tests/test_swift_tokenizer.py):
//
// - BERT-family WordPiece: BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing /
//   BertProcessing;
// - GPT-2 / RoBERTa byte-level BPE: ByteLevel pre-tokenizer (GPT-2 split regex, byte-to-unicode
//   mapping), BPE, RobertaProcessing / ByteLevel (trim_offsets) / Sequence post-processors, and
//   the Lowercase normalizer;
//
// with truncation, padding and added tokens. Anything else is refused with
// UnsupportedTokenizerError naming the component.
//
// Offsets are (start, end) in Unicode code points of the original text, as Python's
// `Encoding.offsets` gives them; special tokens get (0, 0).
//
// Why no String, Character or JSONSerialization inside: Swift compares and hashes strings by
// canonical equivalence ("é" == "e\u{301}", so a [String: Int] vocabulary merges two distinct
// tokens and JSONSerialization drops one of two such keys) and iterates grapheme clusters, and
// JSONSerialization reads `true` as 1 and 1 as `true`. Text is handled as arrays of Unicode
// scalar values, vocabularies are keyed by UTF-8 bytes, and tokenizer.json is read by a small
// strict parser. Character classes come from UnicodeTables (UnicodeTables.swift), measured
// from `tokenizers` itself: Foundation, the Swift standard library, the Rust crates and the
// Oniguruma build `tokenizers` uses each follow a different Unicode version.

/// One tokenized text (or pair), as `tokenizers.Encoding` holds it.
public struct Encoding: Sendable {
    public let ids: [Int]
    public let typeIds: [Int]
    public let attentionMask: [Int]
    /// [start, end) in Unicode code points of the original text; (0, 0) for special tokens.
    public let offsets: [[Int]]
    public let tokens: [String]

    public init(ids: [Int], typeIds: [Int], attentionMask: [Int], offsets: [[Int]], tokens: [String]) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.tokens = tokens
    }
}

/// A tokenizer.json this kit would tokenize differently from `tokenizers`: the message names
/// the component.
public struct UnsupportedTokenizerError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// tokenizer.json is not strict JSON (RFC 8259).
public struct TokenizerJSONError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A text `tokenizers` refuses to encode (OnlyFirst / OnlySecond truncation that cannot keep
/// to max_length); see `Tokenizer.encodeChecked`.
public struct TokenizationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Immutable once read, so one instance may tokenize on any number of threads at once.
public final class Tokenizer: Sendable {
    private let model: Model
    private let normalizer: NormalizerSpec?
    private let preTokenizer: PreTokenizerSpec
    private let processor: PostProcessorSpec
    private let truncation: TruncationSpec?
    private let padding: PaddingSpec?
    private let rawMatcher: Matcher
    private let normalizedMatcher: Matcher
    private let padTokenText: String

    /// The pad token's id: tokenizer.json padding, else an added or vocab `[PAD]` / `<pad>`, else 0.
    public let padTokenId: Int

    /// Truncation's max_length (special tokens included), if tokenizer.json truncates.
    public var maxLength: Int? { truncation?.maxLength }

    public convenience init(contentsOf url: URL) throws {
        try self.init(json: Data(contentsOf: url))
    }

    /// Reads a tokenizer.json; throws UnsupportedTokenizerError (naming the component) or
    /// TokenizerJSONError.
    public init(json: Data) throws {
        guard let root = try JSONParser.parse(json, source: "tokenizer.json", error: TokenizerJSONError.init).object else {
            throw UnsupportedTokenizerError("tokenizer.json is not a JSON object")
        }
        guard let modelJSON = root["model"]?.object else { throw UnsupportedTokenizerError("tokenizer.json has no model") }
        let model: Model
        switch modelJSON["type"]?.string {
        case "WordPiece": model = .wordPiece(try WordPieceModel(modelJSON))
        case "BPE": model = .bpe(try BpeModel(modelJSON))
        case let other: throw UnsupportedTokenizerError("unsupported model \(other ?? "(untyped)"): only WordPiece and BPE are supported")
        }
        let normalizer = try NormalizerSpec.parse(root["normalizer"])
        let preTokenizer = try PreTokenizerSpec.parse(root["pre_tokenizer"])
        let processor = try PostProcessorSpec.parse(root["post_processor"])
        let truncation = try TruncationSpec.parse(root["truncation"])
        let padding = try PaddingSpec.parse(root["padding"])
        let added = try AddedTokenSpec.parseAll(root["added_tokens"])

        let vocab = model.vocab
        let padId = padding?.padId
            ?? added.first(where: { sameScalars($0.content, "[PAD]") })?.id
            ?? vocab.id("[PAD]")
            ?? added.first(where: { sameScalars($0.content, "<pad>") })?.id
            ?? vocab.id("<pad>")
            ?? 0
        self.padTokenText = padding?.padToken
            ?? added.first(where: { $0.id == padId })?.content
            ?? vocab.token(padId)
            ?? "[PAD]"
        self.padTokenId = padId
        self.rawMatcher = Matcher(added.filter { !$0.normalized }.map { (scalars($0.content), $0) })
        self.normalizedMatcher = Matcher(added.filter { $0.normalized }.map { token -> ([UInt32], AddedTokenSpec) in
            let cps = scalars(token.content)
            return (normalizeRange(normalizer, cps, 0, cps.count).cps, token)
        })
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.processor = processor
        self.truncation = truncation
        self.padding = padding
    }

    // MARK: - encoding

    /// Tokenizes `text` (and `pair`) as `tokenizers.Tokenizer.encode` does, with tokenizer.json's
    /// truncation, post-processing and padding. Where `tokenizers` raises instead (OnlyFirst /
    /// OnlySecond truncation that cannot keep to max_length) this truncates longest-first, so
    /// that the result still fits the model; `encodeChecked` throws there instead.
    public func encode(_ text: String, pair: String? = nil) -> Encoding {
        if let encoding = try? encode(text, pair: pair, strict: true) { return encoding }
        // Only truncation throws, and not when it may fall back.
        return (try? encode(text, pair: pair, strict: false)) ?? Encoding(ids: [], typeIds: [], attentionMask: [], offsets: [], tokens: [])
    }

    /// `encode`, throwing TokenizationError exactly where `tokenizers` raises.
    public func encodeChecked(_ text: String, pair: String? = nil) throws -> Encoding {
        try encode(text, pair: pair, strict: true)
    }

    /// `encoding` padded at the end to `length` with the pad token (attention mask 0).
    public func pad(_ encoding: Encoding, to length: Int) -> Encoding {
        let n = encoding.ids.count
        if n >= length { return encoding }
        let missing = length - n
        return Encoding(
            ids: encoding.ids + Array(repeating: padTokenId, count: missing),
            typeIds: encoding.typeIds + Array(repeating: padding?.padTypeId ?? 0, count: missing),
            attentionMask: encoding.attentionMask + Array(repeating: 0, count: missing),
            offsets: encoding.offsets + Array(repeating: [0, 0], count: missing),
            tokens: encoding.tokens + Array(repeating: padTokenText, count: missing)
        )
    }

    private func encode(_ text: String, pair: String?, strict: Bool) throws -> Encoding {
        var a = encodeSequence(text, typeId: 0)
        var b = pair.map { encodeSequence($0, typeId: 1) }

        // 1. Truncation, counting the post-processor's special tokens.
        if let t = truncation {
            let added = processor.addedTokens(isPair: b != nil)
            let max = added > 0 ? t.maxLength - added : t.maxLength
            (a, b) = try truncate(a, b, maxLength: max, t, strict: strict)
        }

        // 2. Post-processing (special tokens).
        let out = processor.apply(a, b)

        // 3. Padding from tokenizer.json.
        guard let p = padding else { return out.encoding() }
        var target = p.fixed ?? out.count
        if let multiple = p.multipleOf, multiple > 0, target % multiple > 0 { target += multiple - target % multiple }
        return padSeq(out, target, p).encoding()
    }

    private func encodeSequence(_ text: String, typeId: Int) -> Seq {
        let original = scalars(text)
        let identity = Normalized(cps: original, align: Array(0..<original.count))

        // 1. Added tokens that match the raw text (normalized = false), then normalization of
        //    the rest and the added tokens that match normalized text.
        var splits: [Split] = []
        for piece in splitAdded(identity, 0, original.count, rawMatcher) {
            if piece.tokens != nil { splits.append(piece); continue }
            let norm = normalizeRange(normalizer, original, piece.start, piece.end)
            splits += splitAdded(norm, 0, norm.cps.count, normalizedMatcher)
        }

        // 2. Pre-tokenization of the splits that are not added tokens.
        var words: [Split] = []
        for s in splits {
            if s.tokens != nil { words.append(s); continue }
            switch preTokenizer {
            case .none: words.append(s)
            case .bert: bertPreTokenize(s, &words)
            case .byteLevel(let addPrefixSpace, let useRegex): byteLevelPreTokenize(s, addPrefixSpace, useRegex, &words)
            }
        }

        // 3. The model over every word (as the released 0.23.3 wheel: everything is tokenized,
        //    truncation comes afterwards).
        var seq = Seq()
        for w in words {
            let tokens: [Tok]
            if let known = w.tokens {
                tokens = known
            } else {
                switch model {
                case .wordPiece(let m): tokens = m.tokenize(w)
                case .bpe(let m): tokens = m.tokenize(w)
                }
            }
            for tok in tokens { seq.add(tok.id, typeId, tok.value, tok.start, tok.end, 1) }
        }
        return seq
    }

    private func truncate(_ a: Seq, _ b: Seq?, maxLength: Int, _ t: TruncationSpec, strict: Bool) throws -> (Seq, Seq?) {
        if maxLength <= 0 { return (a.truncated(to: 0, left: t.left), b?.truncated(to: 0, left: t.left)) }
        let total = a.count + (b?.count ?? 0)
        if total <= maxLength { return (a, b) }
        let toRemove = total - maxLength
        if t.strategy != .longestFirst {
            let first = t.strategy == .onlyFirst
            let target = first ? a : b
            if let target = target, target.count > toRemove {
                let cut = target.truncated(to: target.count - toRemove, left: t.left)
                return first ? (cut, b) : (a, cut)
            }
            if strict {
                throw TokenizationError(target == nil ? "Truncation error: Second sequence not provided"
                                                      : "Truncation error: Sequence to truncate too short to respect the provided max_length")
            }
        }
        guard let b = b else { return (a.truncated(to: total - toRemove, left: t.left), nil) }
        var n1 = a.count
        var n2 = b.count
        let swap = n1 > n2
        if swap { (n1, n2) = (n2, n1) }
        n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
        if n1 + n2 > maxLength {
            n1 = maxLength / 2
            n2 = n1 + maxLength % 2
        }
        if swap { (n1, n2) = (n2, n1) }
        return (a.truncated(to: n1, left: t.left), b.truncated(to: n2, left: t.left))
    }

    private func padSeq(_ s: Seq, _ target: Int, _ p: PaddingSpec) -> Seq {
        let missing = target - s.count
        if missing <= 0 { return s }
        var pad = Seq()
        for _ in 0..<missing { pad.add(p.padId, p.padTypeId, p.padToken, 0, 0, 0) }
        var out = Seq()
        if p.left {
            out.append(pad)
            out.append(s)
        } else {
            out.append(s)
            out.append(pad)
        }
        return out
    }
}

// MARK: - sequences, words, tokens

/// One sequence before post-processing; offsets are code points of that sequence's text.
private struct Seq {
    var ids: [Int] = []
    var typeIds: [Int] = []
    var tokens: [String] = []
    var starts: [Int] = []
    var ends: [Int] = []
    var mask: [Int] = []

    var count: Int { ids.count }

    mutating func add(_ id: Int, _ type: Int, _ token: String, _ start: Int, _ end: Int, _ attention: Int) {
        ids.append(id)
        typeIds.append(type)
        tokens.append(token)
        starts.append(start)
        ends.append(end)
        mask.append(attention)
    }

    mutating func append(_ other: Seq) {
        ids += other.ids
        typeIds += other.typeIds
        tokens += other.tokens
        starts += other.starts
        ends += other.ends
        mask += other.mask
    }

    func truncated(to max: Int, left: Bool) -> Seq {
        let n = count
        if max >= n { return self }
        let range = left ? (n - max)..<n : 0..<max
        return Seq(ids: Array(ids[range]), typeIds: Array(typeIds[range]), tokens: Array(tokens[range]),
                   starts: Array(starts[range]), ends: Array(ends[range]), mask: Array(mask[range]))
    }

    func encoding() -> Encoding {
        Encoding(ids: ids, typeIds: typeIds, attentionMask: mask, offsets: (0..<count).map { [starts[$0], ends[$0]] }, tokens: tokens)
    }
}

/// A normalized string: code points, and for each the index of the original code point it came from.
private struct Normalized {
    let cps: [UInt32]
    let align: [Int]
}

/// A split of a sequence: either already tokens (an added token) or normalized text to tokenize.
private struct Split {
    let normalized: Normalized
    let start: Int
    let end: Int
    let tokens: [Tok]?
}

private struct Tok {
    let id: Int
    let value: String
    let start: Int
    let end: Int
}

// MARK: - pre-tokenizers

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

// MARK: - models

/// A vocabulary keyed by exact UTF-8 bytes (never by canonically equivalent Swift strings).
private struct Vocab {
    private let ids: [TokenKey: Int]
    private let tokens: [Int: String]

    init(_ json: JSONObject) throws {
        var ids: [TokenKey: Int] = [:]
        var tokens: [Int: String] = [:]
        ids.reserveCapacity(json.count)
        for (key, value) in zip(json.keys, json.values) {
            let id = try intValue(value, "vocab id")
            ids[TokenKey(key)] = id
            tokens[id] = key
        }
        self.ids = ids
        self.tokens = tokens
    }

    func id(_ token: String) -> Int? { ids[TokenKey(token)] }
    func id(bytes: [UInt8]) -> Int? { ids[TokenKey(bytes: bytes)] }
    func token(_ id: Int) -> String? { tokens[id] }
}

private struct TokenKey: Hashable {
    let bytes: [UInt8]

    init(_ s: String) { bytes = Array(s.utf8) }
    init(bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: TokenKey, b: TokenKey) -> Bool { a.bytes == b.bytes }
}

private enum Model {
    case wordPiece(WordPieceModel)
    case bpe(BpeModel)

    var vocab: Vocab {
        switch self {
        case .wordPiece(let m): return m.vocab
        case .bpe(let m): return m.vocab
        }
    }
}

private struct WordPieceModel {
    let vocab: Vocab
    let unkToken: String
    let unkId: Int
    let prefix: [UInt8]
    let maxInputCharsPerWord: Int

    init(_ model: JSONObject) throws {
        vocab = try Vocab(try requireObject(model["vocab"], "WordPiece model has no vocab"))
        unkToken = model["unk_token"]?.string ?? "[UNK]"
        guard let unk = vocab.id(unkToken) else { throw UnsupportedTokenizerError("WordPiece unk_token \(unkToken) is not in the vocab") }
        unkId = unk
        prefix = Array((model["continuing_subword_prefix"]?.string ?? "##").utf8)
        maxInputCharsPerWord = model["max_input_chars_per_word"]?.int ?? 100
    }

    func tokenize(_ w: Split) -> [Tok] {
        let cps = w.normalized.cps
        let align = w.normalized.align
        let n = w.end - w.start
        if n <= 0 { return [] }
        let unk = [Tok(id: unkId, value: unkToken, start: align[w.start], end: align[w.end - 1] + 1)]
        if n > maxInputCharsPerWord { return unk }
        // The word's UTF-8, and where each character starts in it.
        var bytes: [UInt8] = []
        var at: [Int] = []
        at.reserveCapacity(n + 1)
        for k in w.start..<w.end {
            at.append(bytes.count)
            appendUTF8(cps[k], to: &bytes)
        }
        at.append(bytes.count)
        var out: [Tok] = []
        var start = 0
        var piece: [UInt8] = []
        while start < n {
            var end = n
            var found: Tok? = nil
            while start < end {
                piece.removeAll(keepingCapacity: true)
                if start > 0 { piece += prefix }
                piece += bytes[at[start]..<at[end]]
                if let id = vocab.id(bytes: piece) {
                    found = Tok(id: id, value: String(decoding: piece, as: UTF8.self),
                                start: align[w.start + start], end: align[w.start + end - 1] + 1)
                    break
                }
                end -= 1
            }
            guard let tok = found else { return unk }
            out.append(tok)
            start = end
        }
        return out
    }
}

private struct BpeModel {
    let vocab: Vocab
    /// (left id << 32 | right id) -> (rank << 32 | new id).
    let merges: [UInt64: UInt64]
    let unkId: Int?
    let prefix: [UInt8]?
    let suffix: [UInt8]?
    let fuseUnk: Bool
    let ignoreMerges: Bool

    static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: a)) << 32 | UInt64(UInt32(truncatingIfNeeded: b)) }

    init(_ model: JSONObject) throws {
        if let dropout = model["dropout"], dropout.double != 0 {
            throw UnsupportedTokenizerError("unsupported BPE dropout \(dropout.text): only null or 0 is supported")
        }
        if model["byte_fallback"]?.bool == true { throw UnsupportedTokenizerError("unsupported BPE byte_fallback true") }
        let vocab = try Vocab(try requireObject(model["vocab"], "BPE model has no vocab"))
        self.vocab = vocab
        if let unk = model["unk_token"]?.string {
            guard let id = vocab.id(unk) else { throw UnsupportedTokenizerError("BPE unk_token \(unk) is not in the vocab") }
            unkId = id
        } else {
            unkId = nil
        }
        let prefix = model["continuing_subword_prefix"]?.string.map { Array($0.utf8) }
        self.prefix = prefix
        suffix = model["end_of_word_suffix"]?.string.map { Array($0.utf8) }
        fuseUnk = model["fuse_unk"]?.bool ?? false
        ignoreMerges = model["ignore_merges"]?.bool ?? false

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
        self.merges = merges
    }

    /// BPE::tokenize (no dropout): ignore_merges, then merge_word (per-character vocab lookup
    /// with continuing_subword_prefix / end_of_word_suffix, unk and fuse_unk; a character without
    /// a vocab entry and no unk_token is dropped, and as in `tokenizers` the offsets of what
    /// follows are not shifted for it), then Word::merge_all.
    func tokenize(_ w: Split) -> [Tok] {
        let cps = w.normalized.cps
        let align = w.normalized.align
        let n = w.end - w.start
        if n <= 0 { return [] }
        var bytes: [UInt8] = []
        if ignoreMerges {
            for k in w.start..<w.end { appendUTF8(cps[k], to: &bytes) }
            if let id = vocab.id(bytes: bytes) {
                return [Tok(id: id, value: String(decoding: bytes, as: UTF8.self), start: align[w.start], end: align[w.end - 1] + 1)]
            }
        }
        var ids: [Int] = []
        var lens: [Int] = []
        ids.reserveCapacity(n)
        lens.reserveCapacity(n)
        var pendingUnk = -1
        var pendingLen = 0
        for k in 0..<n {
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
                lens.append(1)
            } else if let unk = unkId {
                if pendingUnk >= 0 && fuseUnk {
                    pendingLen += 1
                } else {
                    if pendingUnk >= 0 {
                        ids.append(pendingUnk)
                        lens.append(pendingLen)
                    }
                    pendingUnk = unk
                    pendingLen = 1
                }
            }
        }
        if pendingUnk >= 0 {
            ids.append(pendingUnk)
            lens.append(pendingLen)
        }
        mergeAll(&ids, &lens)
        var out: [Tok] = []
        out.reserveCapacity(ids.count)
        var pos = w.start
        for k in 0..<ids.count {
            let end = pos + lens[k]
            out.append(Tok(id: ids[k], value: vocab.token(ids[k]) ?? "", start: align[pos], end: align[end - 1] + 1))
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

// MARK: - normalization

private struct NormalizerSpec {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool

    static func parse(_ value: JSONValue?) throws -> NormalizerSpec? {
        guard let value = value else { return nil }
        guard let n = value.object else { throw UnsupportedTokenizerError("malformed normalizer") }
        switch n["type"]?.string {
        case "BertNormalizer":
            let lowercase = n["lowercase"]?.bool ?? true
            return NormalizerSpec(cleanText: n["clean_text"]?.bool ?? true, handleChineseChars: n["handle_chinese_chars"]?.bool ?? true,
                                  stripAccents: n["strip_accents"]?.bool ?? lowercase, lowercase: lowercase)
        case "Lowercase":
            // `Lowercase` is BertNormalizer's lowercasing step alone.
            return NormalizerSpec(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true)
        default:
            throw UnsupportedTokenizerError("unsupported normalizer \(n["type"].text): only BertNormalizer and Lowercase are supported")
        }
    }
}

private func normalizeRange(_ spec: NormalizerSpec?, _ original: [UInt32], _ from: Int, _ to: Int) -> Normalized {
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

// MARK: - pre-tokenizer, truncation, padding and added-token settings

private enum PreTokenizerSpec {
    case none
    case bert
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)

    static func parse(_ value: JSONValue?) throws -> PreTokenizerSpec {
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

private struct TruncationSpec {
    enum Strategy { case longestFirst, onlyFirst, onlySecond }

    let maxLength: Int
    let strategy: Strategy
    let left: Bool

    static func parse(_ value: JSONValue?) throws -> TruncationSpec? {
        guard let value = value else { return nil }
        guard let t = value.object else { throw UnsupportedTokenizerError("malformed truncation") }
        let strategy: Strategy
        switch t["strategy"]?.string ?? "LongestFirst" {
        case "LongestFirst": strategy = .longestFirst
        case "OnlyFirst": strategy = .onlyFirst
        case "OnlySecond": strategy = .onlySecond
        case let other: throw UnsupportedTokenizerError("unsupported truncation strategy \(other)")
        }
        return TruncationSpec(maxLength: try intValue(t["max_length"], "max_length"), strategy: strategy,
                              left: (t["direction"]?.string ?? "Right") == "Left")
    }
}

private struct PaddingSpec {
    let fixed: Int?
    let left: Bool
    let multipleOf: Int?
    let padId: Int
    let padTypeId: Int
    let padToken: String

    static func parse(_ value: JSONValue?) throws -> PaddingSpec? {
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
        return PaddingSpec(fixed: fixed, left: p["direction"]?.string == "Left", multipleOf: p["pad_to_multiple_of"]?.int,
                           padId: p["pad_id"]?.int ?? 0, padTypeId: p["pad_type_id"]?.int ?? 0,
                           padToken: p["pad_token"]?.string ?? "[PAD]")
    }
}

private struct AddedTokenSpec {
    let content: String
    let id: Int
    let singleWord: Bool
    let lstrip: Bool
    let rstrip: Bool
    let normalized: Bool

    static func parseAll(_ value: JSONValue?) throws -> [AddedTokenSpec] {
        var out: [AddedTokenSpec] = []
        for raw in value?.array ?? [] {
            guard let m = raw.object, let content = m["content"]?.string else { throw UnsupportedTokenizerError("malformed added token \(raw.text)") }
            if content.isEmpty { continue }
            let special = m["special"]?.bool ?? false
            out.append(AddedTokenSpec(content: content, id: try intValue(m["id"], "added token id"),
                                      singleWord: m["single_word"]?.bool ?? false, lstrip: m["lstrip"]?.bool ?? false,
                                      rstrip: m["rstrip"]?.bool ?? false, normalized: m["normalized"]?.bool ?? !special))
        }
        return out
    }
}

// MARK: - added tokens

private struct Matcher {
    private let byFirst: [UInt32: [(pattern: [UInt32], token: AddedTokenSpec)]]

    var isEmpty: Bool { byFirst.isEmpty }

    init(_ patterns: [([UInt32], AddedTokenSpec)]) {
        var groups: [UInt32: [(order: Int, pattern: [UInt32], token: AddedTokenSpec)]] = [:]
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
    func find(_ hay: [UInt32], _ from: Int, _ to: Int) -> (start: Int, stop: Int, token: AddedTokenSpec)? {
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
}

/// AddedVocabulary::find_matches + split_with_indices over normalized[from, to).
private func splitAdded(_ n: Normalized, _ from: Int, _ to: Int, _ matcher: Matcher) -> [Split] {
    var out: [Split] = []
    func piece(_ s: Int, _ e: Int, _ token: AddedTokenSpec?) {
        if s >= e { return }  // empty splits are dropped
        guard let token = token else {
            out.append(Split(normalized: n, start: s, end: e, tokens: nil))
            return
        }
        let value = scalarsToString(n.cps[s..<e])
        out.append(Split(normalized: n, start: s, end: e, tokens: [Tok(id: token.id, value: value, start: n.align[s], end: n.align[e - 1] + 1)]))
    }
    if matcher.isEmpty {
        piece(from, to, nil)
        return out
    }
    let data = UnicodeData.shared
    let hay = n.cps
    var startOffset = from
    var searchFrom = from
    while let match = matcher.find(hay, searchFrom, to) {
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

// MARK: - post-processing

/// A template piece: a sequence (A, or B when `isB`) or special tokens (`ids` non-nil).
private struct TemplatePiece {
    let isB: Bool
    let typeId: Int
    let ids: [Int]?
    let tokens: [String]?
}

/// One `process_encodings` step of a post-processor (a Sequence chains several).
private enum ProcessorStep {
    /// TemplateProcessing / BertProcessing / RobertaProcessing's special tokens and type ids.
    case template(single: [TemplatePiece], pair: [TemplatePiece])
    /// ByteLevel's process_offsets (trim_offsets), on every encoding of the list.
    case trimOffsets(addPrefixSpace: Bool)
}

private struct PostProcessorSpec {
    let steps: [ProcessorStep]

    static func parse(_ value: JSONValue?) throws -> PostProcessorSpec {
        guard let value = value else { return PostProcessorSpec(steps: []) }
        guard let p = value.object else { throw UnsupportedTokenizerError("malformed post_processor") }
        let steps = try parseSteps(p)
        let templates = steps.filter { if case .template = $0 { return true } else { return false } }
        if templates.count > 1 {
            throw UnsupportedTokenizerError("unsupported post_processor: a Sequence with more than one special-token processor")
        }
        return PostProcessorSpec(steps: steps)
    }

    private static func specialPiece(_ value: JSONValue?, _ typeId: Int, _ what: String) throws -> TemplatePiece {
        guard let pair = value?.array, pair.count == 2, let token = pair[0].string else {
            throw UnsupportedTokenizerError("malformed post_processor \(what)")
        }
        return TemplatePiece(isB: false, typeId: typeId, ids: [try intValue(pair[1], "\(what) id")], tokens: [token])
    }

    private static func trimStep(_ p: JSONObject) -> [ProcessorStep] {
        (p["trim_offsets"]?.bool ?? true) ? [.trimOffsets(addPrefixSpace: p["add_prefix_space"]?.bool ?? true)] : []
    }

    private static func parseSteps(_ p: JSONObject) throws -> [ProcessorStep] {
        let a = TemplatePiece(isB: false, typeId: 0, ids: nil, tokens: nil)
        switch p["type"]?.string {
        case "TemplateProcessing":
            var specials: [(key: String, ids: [Int], tokens: [String])] = []
            if let map = p["special_tokens"]?.object {
                for (key, value) in zip(map.keys, map.values) {
                    guard let m = value.object, let ids = m["ids"]?.array, let tokens = m["tokens"]?.array else {
                        throw UnsupportedTokenizerError("malformed TemplateProcessing special token \(key)")
                    }
                    let strings = tokens.compactMap { $0.string }
                    if strings.count != tokens.count { throw UnsupportedTokenizerError("malformed TemplateProcessing special token \(key)") }
                    specials.append((key, try ids.map { try intValue($0, "special token id") }, strings))
                }
            }
            func template(_ name: String) throws -> [TemplatePiece] {
                guard let pieces = p[name]?.array else { throw UnsupportedTokenizerError("TemplateProcessing has no \(name) template") }
                return try pieces.map { piece -> TemplatePiece in
                    if let seq = piece.object?["Sequence"]?.object {
                        return TemplatePiece(isB: seq["id"]?.string == "B", typeId: try intValue(seq["type_id"], "type_id"), ids: nil, tokens: nil)
                    }
                    if let sp = piece.object?["SpecialToken"]?.object {
                        let id = sp["id"]?.string ?? ""
                        guard let special = specials.last(where: { sameScalars($0.key, id) }) else {
                            throw UnsupportedTokenizerError("TemplateProcessing uses undefined special token \(sp["id"].text)")
                        }
                        return TemplatePiece(isB: false, typeId: try intValue(sp["type_id"], "type_id"), ids: special.ids, tokens: special.tokens)
                    }
                    throw UnsupportedTokenizerError("malformed TemplateProcessing piece")
                }
            }
            return [.template(single: try template("single"), pair: try template("pair"))]
        case "BertProcessing":
            let cls = try specialPiece(p["cls"], 0, "cls")
            let sep0 = try specialPiece(p["sep"], 0, "sep")
            let sep1 = try specialPiece(p["sep"], 1, "sep")
            return [.template(single: [cls, a, sep0], pair: [cls, a, sep0, TemplatePiece(isB: true, typeId: 1, ids: nil, tokens: nil), sep1])]
        case "RobertaProcessing":
            // Offsets trimmed (if trim_offsets), every type id 0: <s> A </s> and <s> A </s> </s> B </s>.
            let cls = p["cls"] == nil ? TemplatePiece(isB: false, typeId: 0, ids: [0], tokens: ["<s>"]) : try specialPiece(p["cls"], 0, "cls")
            let sep = p["sep"] == nil ? TemplatePiece(isB: false, typeId: 0, ids: [2], tokens: ["</s>"]) : try specialPiece(p["sep"], 0, "sep")
            let b = TemplatePiece(isB: true, typeId: 0, ids: nil, tokens: nil)
            return trimStep(p) + [.template(single: [cls, a, sep], pair: [cls, a, sep, sep, b, sep])]
        case "ByteLevel":
            return trimStep(p)
        case "Sequence":
            guard let processors = p["processors"]?.array else { throw UnsupportedTokenizerError("post_processor Sequence has no processors") }
            return try processors.flatMap { value -> [ProcessorStep] in
                guard let inner = value.object else { throw UnsupportedTokenizerError("malformed post_processor in Sequence") }
                if inner["type"]?.string == "Sequence" { throw UnsupportedTokenizerError("unsupported post_processor: a Sequence inside a Sequence") }
                return try parseSteps(inner)
            }
        default:
            throw UnsupportedTokenizerError("unsupported post_processor \(p["type"].text): only TemplateProcessing, BertProcessing, "
                                            + "RobertaProcessing, ByteLevel and Sequence are supported")
        }
    }

    func addedTokens(isPair: Bool) -> Int {
        var n = 0
        for case .template(let single, let pair) in steps {
            for piece in isPair ? pair : single { n += piece.ids?.count ?? 0 }
        }
        return n
    }

    /// PostProcessor::process: `a` (type ids 0) and `b` (type ids 1) through every step, then merged.
    func apply(_ a: Seq, _ b: Seq?) -> Seq {
        var encodings: [Seq] = b.map { [a, $0] } ?? [a]
        for step in steps {
            switch step {
            case .trimOffsets(let addPrefixSpace): encodings = encodings.map { trimOffsets($0, addPrefixSpace) }
            case .template(let single, let pair): encodings = applyTemplate(encodings.count == 2 ? pair : single, encodings)
            }
        }
        var out = Seq()
        for s in encodings { out.append(s) }
        return out
    }

    private func applyTemplate(_ template: [TemplatePiece], _ encodings: [Seq]) -> [Seq] {
        var out: [Seq] = []
        for piece in template {
            var s = Seq()
            if let ids = piece.ids, let tokens = piece.tokens {
                for k in 0..<ids.count { s.add(ids[k], piece.typeId, tokens[k], 0, 0, 1) }
            } else {
                let index = piece.isB ? 1 : 0
                if index >= encodings.count { continue }
                s = encodings[index]
                s.typeIds = Array(repeating: piece.typeId, count: s.count)
            }
            out.append(s)
        }
        return out
    }

    /// byte_level::process_offsets: leading/trailing 'Ġ' or whitespace characters leave the offsets.
    private func trimOffsets(_ s: Seq, _ addPrefixSpace: Bool) -> Seq {
        let data = UnicodeData.shared
        var out = s
        for i in 0..<s.count {
            var start = s.starts[i]
            var end = s.ends[i]
            let cps = scalars(s.tokens[i])
            func space(_ c: UInt32) -> Bool { c == 0x120 || data.has(c, .whitespace) }
            var leading = 0
            while leading < cps.count && space(cps[leading]) { leading += 1 }
            var trailing = 0
            while trailing < cps.count && space(cps[cps.count - 1 - trailing]) { trailing += 1 }
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = min(start + leading, end)
            }
            if trailing > 0 && end >= trailing { end = max(end - trailing, start) }
            out.starts[i] = start
            out.ends[i] = end
        }
        return out
    }
}

// MARK: - Unicode

/// Lookups over UnicodeTables, parsed once: a bit per class for the Basic Multilingual Plane,
/// binary search over ranges above it.
private struct UnicodeData {
    struct Class: OptionSet {
        let rawValue: UInt16
        static let control = Class(rawValue: 1 << 0)
        static let cleanSpace = Class(rawValue: 1 << 1)
        static let whitespace = Class(rawValue: 1 << 2)
        static let punctuation = Class(rawValue: 1 << 3)
        static let nonspacingMark = Class(rawValue: 1 << 4)
        static let regexLetter = Class(rawValue: 1 << 5)
        static let regexNumber = Class(rawValue: 1 << 6)
        static let regexSpace = Class(rawValue: 1 << 7)
        /// `\w` of the Rust regex crate (single_word added tokens).
        static let word = Class(rawValue: 1 << 8)
    }

    static let shared = UnicodeData()

    private let bmp: [UInt16]
    private let astral: [(cls: Class, ranges: RangeSet)]
    private let decompositions: [UInt32: [UInt32]]
    private let lower: [UInt32: [UInt32]]
    private let classes: [UInt32: UInt8]

    private init() {
        let sets: [(Class, String)] = [
            (.control, UnicodeTables.control), (.cleanSpace, UnicodeTables.cleanSpace), (.whitespace, UnicodeTables.whitespace),
            (.punctuation, UnicodeTables.punctuation), (.nonspacingMark, UnicodeTables.nonspacingMark),
            (.regexLetter, UnicodeTables.regexLetter), (.regexNumber, UnicodeTables.regexNumber),
            (.regexSpace, UnicodeTables.regexSpace), (.word, UnicodeTables.word),
        ]
        var bmp = [UInt16](repeating: 0, count: 0x10000)
        var astral: [(cls: Class, ranges: RangeSet)] = []
        for (cls, spec) in sets {
            let ranges = RangeSet(spec)
            for (a, b) in zip(ranges.starts, ranges.ends) where a < 0x10000 {
                for c in Int(a)...Int(min(b, 0xFFFF)) { bmp[c] |= cls.rawValue }
            }
            astral.append((cls, ranges))
        }
        self.bmp = bmp
        self.astral = astral
        decompositions = UnicodeData.mapping(UnicodeTables.decomposition)
        lower = UnicodeData.mapping(UnicodeTables.lowercase)
        var classes: [UInt32: UInt8] = [:]
        for span in UnicodeTables.combiningClass.split(separator: ",") {
            let parts = span.split(separator: ":")
            let bounds = parts[0].split(separator: "-").map { UInt32($0, radix: 16)! }
            let k = UInt8(parts[1], radix: 16)!
            for c in bounds[0]...bounds[bounds.count - 1] { classes[c] = k }
        }
        self.classes = classes
    }

    private static func mapping(_ spec: String) -> [UInt32: [UInt32]] {
        var out: [UInt32: [UInt32]] = [:]
        for entry in spec.split(separator: ";") {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
            out[UInt32(parts[0], radix: 16)!] = parts[1].split(separator: ".").map { UInt32($0, radix: 16)! }
        }
        return out
    }

    @inline(__always)
    func has(_ c: UInt32, _ cls: Class) -> Bool {
        if c < 0x10000 { return bmp[Int(c)] & cls.rawValue != 0 }
        for entry in astral where entry.cls == cls { return entry.ranges.contains(c) }
        return false
    }

    func decomposition(_ c: UInt32) -> [UInt32]? { decompositions[c] }
    func lowercase(_ c: UInt32) -> [UInt32]? { lower[c] }
    func combiningClass(_ c: UInt32) -> UInt8 { classes[c] ?? 0 }
}

/// Sorted, disjoint code point ranges from a `41-5a,61-7a,aa` spec.
private struct RangeSet {
    let starts: [UInt32]
    let ends: [UInt32]

    init(_ spec: String) {
        var starts: [UInt32] = []
        var ends: [UInt32] = []
        for part in spec.split(separator: ",") {
            let bounds = part.split(separator: "-").map { UInt32($0, radix: 16)! }
            starts.append(bounds[0])
            ends.append(bounds[bounds.count - 1])
        }
        self.starts = starts
        self.ends = ends
    }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0
        var hi = starts.count - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            if c < starts[mid] {
                hi = mid - 1
            } else if c > ends[mid] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}

// MARK: - text helpers

private func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map { $0.value } }

private func scalarsToString<C: Collection>(_ cps: C) -> String where C.Element == UInt32 {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(cps.count)
    for c in cps { appendUTF8(c, to: &bytes) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Exact (code point by code point) equality, unlike `==` on String.
func sameScalars(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

@inline(__always)
func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
    if c < 0x80 {
        out.append(UInt8(c))
    } else if c < 0x800 {
        out.append(UInt8(0xC0 | (c >> 6)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    } else if c < 0x10000 {
        out.append(UInt8(0xE0 | (c >> 12)))
        out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (c >> 18)))
        out.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    }
}

// MARK: - tokenizer.json fields

private func intValue(_ value: JSONValue?, _ what: String) throws -> Int {
    guard let n = value?.int else { throw UnsupportedTokenizerError("tokenizer.json: \(what) is not a number") }
    return n
}

private func requireObject(_ value: JSONValue?, _ message: String) throws -> JSONObject {
    guard let object = value?.object else { throw UnsupportedTokenizerError(message) }
    return object
}
