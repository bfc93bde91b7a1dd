import Foundation

// On-device tokenization that reproduces Hugging Face `tokenizers` (tokenizer.json) id for id
// and offset for offset; a port of the Android kit (edgepack-kit), proven the same way
// (tests/test_swift_tokenizer.py):
//
// - BERT-family WordPiece: BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing /
//   BertProcessing;
// - GPT-2 / RoBERTa byte-level BPE: ByteLevel pre-tokenizer (GPT-2 split regex, byte-to-unicode
//   mapping), BPE, RobertaProcessing / ByteLevel (trim_offsets) / Sequence post-processors, and
//   the Lowercase normalizer;
// - SentencePiece (XLM-RoBERTa, T5, ALBERT, DeBERTa-v3; Llama, Gemma, Mistral): Unigram, BPE with
//   byte_fallback, the Precompiled charsmap, NFD/NFKD/NFC/NFKC, StripAccents, Nmt, Replace, Strip,
//   Prepend and Sequence normalizers, Metaspace, WhitespaceSplit, Split and Sequence pre-tokenizers;
//
// with truncation, padding and added tokens, and ids back to text (`decode`). Anything else is
// refused with UnsupportedTokenizerError naming the component.
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

//
// One file per stage of the `tokenizers` pipeline, with the same file and type names in the
// Android kit (edgepack-kit/src/main/kotlin/dev/edgepack/kit/<name>.kt), so that one port reads
// against the other:
//
// - Tokenizer: this facade: reads tokenizer.json, runs the stages, encodes a text or a pair;
// - Encoding: the result, and Seq, a sequence being built;
// - TokenizerJson: tokenizer.json into the configuration of every stage; what is refused
//   (ComponentReaders: each stage's types, read by tokenizer.json `type`);
// - AddedTokens: added tokens, matched in the raw text and in the normalized text;
// - Normalizer: the normalizers, each character aligned with the original as NormalizedString
//   aligns it; Precompiled: the SentencePiece charsmap and grapheme clusters; Pattern: the
//   String / Regex patterns of Replace and Split;
// - PreTokenizer: BertPreTokenizer, ByteLevel (GPT-2 split regex, byte-to-unicode mapping),
//   Metaspace, WhitespaceSplit, Split, Sequence;
// - TokenizerModel: what a model gives the pipeline, and the models by tokenizer.json type;
// - WordPieceModel, BpeModel, UnigramModel: one file per model (a new model is one file and one line in
//   TokenizerModel);
// - PostProcessor: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence;
// - Decoder: ids back to text (WordPiece, ByteLevel, Metaspace, BPEDecoder, Replace, ByteFallback,
//   Fuse, Strip, Sequence), for fill-mask candidates and generated text;
// - Truncation: truncation and padding;
// - UnicodeData: lookups over UnicodeTables (generated data only: tools/unicode_tables.py);
// - CodePoints: text as arrays of code points;
// - Json: the strict JSON parser.

/// Immutable once read, so one instance may tokenize on any number of threads at once.
public final class Tokenizer: Sendable {
    private let model: any TokenizerModel
    private let normalizer: (any Normalizer)?
    private let preTokenizer: PreTokenizer
    private let processor: PostProcessor
    private let truncation: Truncation?
    private let padding: Padding?
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let padTokenText: String
    private let decoder: (any Decoder)?
    private let addedById: [Int: String]
    private let specialTokens: Set<[UInt8]>

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
        let config = try TokenizerJson.read(json)
        let normalizer = config.normalizer
        let padding = config.padding
        let added = config.addedTokens
        let vocab = config.model.vocab
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
        self.rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized }.map { (scalars($0.content), $0) })
        self.normalizedMatcher = AddedTokenMatcher(added.filter { $0.normalized }.map { token -> ([UInt32], AddedToken) in
            let cps = scalars(token.content)
            return (normalizeRange(normalizer, cps, 0, cps.count).cps, token)
        })
        self.model = config.model
        self.normalizer = normalizer
        self.preTokenizer = config.preTokenizer
        self.processor = config.postProcessor
        self.truncation = config.truncation
        self.padding = padding
        self.decoder = config.decoder
        // As tokenizers' id_to_token: normalized added tokens as the normalizer makes them (that is how it stores them).
        self.addedById = Dictionary(added.map { token -> (Int, String) in
            guard token.normalized else { return (token.id, token.content) }
            let cps = scalars(token.content)
            return (token.id, scalarsToString(normalizeRange(normalizer, cps, 0, cps.count).cps))
        }, uniquingKeysWith: { _, last in last })
        self.specialTokens = Set(added.filter { $0.special }.map { Array($0.content.utf8) })
    }

    /// Why `decode` fails (a decoder this kit does not implement), or nil when it works.
    public var decoderProblem: String? { (decoder as? UnsupportedDecoder)?.reason.message }

    /// `tokenizers.Tokenizer.decode`: each id as its token (unknown ids are dropped, special tokens too when
    /// `skipSpecialTokens`), then tokenizer.json's decoder, or the tokens joined by spaces without one. Throws
    /// UnsupportedTokenizerError for a decoder this kit does not implement.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws -> String {
        let tokens = ids.compactMap { addedById[$0] ?? model.vocab.token($0) }
            .filter { !skipSpecialTokens || !specialTokens.contains(Array($0.utf8)) }
            .map { scalars($0) }
        guard let decoder = decoder else { return tokens.map { scalarsToString($0) }.joined(separator: " ") }
        return scalarsToString(try decoder.decodeChain(tokens).flatMap { $0 })
    }

    // MARK: - encoding

    /// Tokenizes `text` (and `pair`) as `tokenizers.Tokenizer.encode` does, with tokenizer.json's
    /// truncation, post-processing and padding. Where `tokenizers` raises instead (OnlyFirst /
    /// OnlySecond truncation that cannot keep to max_length) this truncates longest-first, so
    /// that the result still fits the model; `encodeChecked` throws there instead.
    ///
    /// `addSpecialTokens` false is `encode(..., add_special_tokens=False)`: the post-processor adds no
    /// special tokens (a chat prompt, whose text holds them already) and truncation leaves no room for them.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) -> Encoding {
        if let encoding = try? encode(text, pair: pair, addSpecialTokens: addSpecialTokens, strict: true) { return encoding }
        // Only truncation throws, and not when it may fall back.
        return (try? encode(text, pair: pair, addSpecialTokens: addSpecialTokens, strict: false))
            ?? Encoding(ids: [], typeIds: [], attentionMask: [], offsets: [], tokens: [], wordIds: [])
    }

    /// `encode`, throwing TokenizationError exactly where `tokenizers` raises.
    public func encodeChecked(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) throws -> Encoding {
        try encode(text, pair: pair, addSpecialTokens: addSpecialTokens, strict: true)
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
            tokens: encoding.tokens + Array(repeating: padTokenText, count: missing),
            wordIds: encoding.wordIds + Array(repeating: Encoding.noWord, count: missing)
        )
    }

    private func encode(_ text: String, pair: String?, addSpecialTokens: Bool, strict: Bool) throws -> Encoding {
        var a = encodeSequence(text, typeId: 0)
        var b = pair.map { encodeSequence($0, typeId: 1) }

        // 1. Truncation, counting the post-processor's special tokens (when it adds them).
        if let t = truncation {
            let added = addSpecialTokens ? processor.addedTokens(isPair: b != nil) : 0
            let max = added > 0 ? t.maxLength - added : t.maxLength
            (a, b) = try t.truncate(a, b, limit: max, strict: strict)
        }

        // 2. Post-processing (special tokens).
        let out = processor.apply(a, b, addSpecialTokens: addSpecialTokens)

        // 3. Padding from tokenizer.json.
        guard let p = padding else { return out.encoding() }
        return p.apply(out).encoding()
    }

    private func encodeSequence(_ text: String, typeId: Int) -> Seq {
        let original = scalars(text)
        let identity = Normalized.of(original, 0, original.count)

        // 1. Added tokens that match the raw text (normalized = false), then normalization of
        //    the rest and the added tokens that match normalized text.
        var splits: [Split] = []
        for piece in rawMatcher.split(identity, 0, original.count) {
            if piece.tokens != nil { splits.append(piece); continue }
            let norm = normalizeRange(normalizer, original, piece.start, piece.end)
            splits += normalizedMatcher.split(norm, 0, norm.cps.count)
        }

        // 2. Pre-tokenization of the splits that are not added tokens.
        var words: [Split] = []
        for s in splits {
            if s.tokens != nil { words.append(s); continue }
            preTokenizer.preTokenize(s, &words)
        }

        // 3. The model over every word (as the released 0.23.3 wheel: everything is tokenized,
        //    truncation comes afterwards).
        //    Word ids number the pre-tokenized words (added tokens included) that are not empty, as
        //    PreTokenizedString::into_encoding numbers its splits.
        var seq = Seq()
        var word = 0
        for w in words where w.end > w.start {
            let tokens = w.tokens ?? model.tokenize(w)
            for tok in tokens { seq.add(tok.id, typeId, tok.value, tok.start, tok.end, 1, word: word) }
            word += 1
        }
        return seq
    }
}
