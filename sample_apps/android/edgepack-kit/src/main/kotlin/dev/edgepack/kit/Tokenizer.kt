package dev.edgepack.kit

/**
 * On-device tokenization that reproduces Hugging Face `tokenizers` (tokenizer.json) id for id
 * and offset for offset, for the tokenizers edgepack bundles:
 *
 * - BERT-family WordPiece: BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing/
 *   BertProcessing;
 * - GPT-2 / RoBERTa byte-level BPE: ByteLevel pre-tokenizer (GPT-2 split regex, byte-to-unicode
 *   mapping), BPE, RobertaProcessing / ByteLevel (trim_offsets) / Sequence post-processors,
 *   and the Lowercase normalizer;
 * - SentencePiece (XLM-RoBERTa, T5, ALBERT; Llama, Gemma, Mistral): Unigram, BPE with
 *   byte_fallback, the Precompiled charsmap, NFD/NFKD, StripAccents, Nmt, Replace, Strip,
 *   Prepend and Sequence normalizers, Metaspace, WhitespaceSplit, Split and Sequence
 *   pre-tokenizers;
 *
 * with truncation, padding and added tokens; NFC/NFKC too, and ids back to text ([decode]).
 * Anything else is refused with [UnsupportedTokenizerException].
 *
 * Offsets are (start, end) in Unicode code points of the original text, as Python's
 * `Encoding.offsets` gives them; special tokens get (0, 0).
 *
 * Character classes (control, whitespace, punctuation, accents, lowercase, and the regex
 * classes \p{L}, \p{N}, \s of the byte-level split) come from [UnicodeTables], which are
 * measured from `tokenizers` itself rather than read from the platform: Android's ICU, the
 * JVM, the Rust crates and the Oniguruma build `tokenizers` uses each follow a different
 * Unicode version.
 *
 * One file per stage of the `tokenizers` pipeline, with the same file and type names in the
 * iOS kit (EdgepackKit/Sources/EdgepackKit/<name>.swift), so that one port reads against the other:
 *
 * - Tokenizer: this facade: reads tokenizer.json, runs the stages, encodes a text or a pair;
 * - Encoding: the result, and [Seq], a sequence being built;
 * - TokenizerJson: tokenizer.json into the configuration of every stage; what is refused
 *   (ComponentReaders: each stage's types, read by tokenizer.json `type`);
 * - AddedTokens: added tokens, matched in the raw text and in the normalized text;
 * - Normalizer: the normalizers, each character aligned with the original as NormalizedString
 *   aligns it; Precompiled: the SentencePiece charsmap and grapheme clusters; Pattern: the
 *   String / Regex patterns of Replace and Split;
 * - PreTokenizer: BertPreTokenizer, ByteLevel (GPT-2 split regex, byte-to-unicode mapping),
 *   Metaspace, WhitespaceSplit, Split, Sequence;
 * - TokenizerModel: what a model gives the pipeline, and the models by tokenizer.json type;
 * - WordPieceModel, BpeModel, UnigramModel: one file per model (a new model is one file and one line in
 *   TokenizerModel);
 * - PostProcessor: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence;
 * - Decoder: ids back to text (WordPiece, ByteLevel, Metaspace, BPEDecoder, Replace, ByteFallback,
 *   Fuse, Strip, Sequence), for fill-mask candidates and generated text;
 * - Truncation: truncation and padding;
 * - UnicodeData: lookups over UnicodeTables (generated data only: tools/unicode_tables.py);
 * - CodePoints: text as arrays of code points;
 * - Json: the strict JSON parser.
 */
class Tokenizer private constructor(
    private val model: TokenizerModel,
    private val normalizer: Normalizer?,
    private val preTokenizer: PreTokenizer,
    private val processor: PostProcessor,
    private val truncation: Truncation?,
    private val padding: Padding?,
    private val addedTokens: List<AddedToken>,
    private val decoder: Decoder?,
) {
    /** The pad token's id: tokenizer.json padding, else an added or vocab `[PAD]` / `<pad>`, else 0. */
    val padTokenId: Int = padding?.padId
        ?: addedTokens.firstOrNull { it.content == "[PAD]" }?.id
        ?: model.vocab["[PAD]"]
        ?: addedTokens.firstOrNull { it.content == "<pad>" }?.id
        ?: model.vocab["<pad>"]
        ?: 0

    private val padTokenText: String = padding?.padToken
        ?: (addedTokens.firstOrNull { it.id == padTokenId }?.content
            ?: model.vocab.entries.firstOrNull { it.value == padTokenId }?.key ?: "[PAD]")

    val maxLength: Int? = truncation?.maxLength

    private val rawMatcher = AddedTokenMatcher(addedTokens.filter { !it.normalized }.map { codePoints(it.content) to it })
    private val normalizedMatcher = AddedTokenMatcher(addedTokens.filter { it.normalized }.map {
        val content = codePoints(it.content)
        codePoints(normalizeRange(normalizer, content, 0, content.size).text) to it
    })

    companion object {
        fun fromJson(json: String): Tokenizer {
            val config = TokenizerJson.read(json)
            return Tokenizer(config.model, config.normalizer, config.preTokenizer, config.postProcessor, config.truncation,
                             config.padding, config.addedTokens, config.decoder)
        }
    }

    /**
     * [addSpecialTokens] false is `encode(..., add_special_tokens=False)`: the post-processor adds no special
     * tokens (a chat prompt, whose text holds them already) and truncation leaves no room for them.
     */
    fun encode(text: String, pair: String? = null, addSpecialTokens: Boolean = true): Encoding {
        var a = encodeSequence(text, 0)
        var b = pair?.let { encodeSequence(it, 1) }

        // 1. Truncation, counting the post-processor's special tokens.
        truncation?.let { t ->
            val added = if (addSpecialTokens) processor.addedTokens(b != null) else 0
            val max = if (added > 0) t.maxLength - added else t.maxLength
            val (ta, tb) = t.truncate(a, b, max)
            a = ta; b = tb
        }

        // 2. Post-processing (special tokens).
        val out = processor.apply(a, b, addSpecialTokens)

        // 3. Padding from tokenizer.json.
        val p = padding ?: return out.toEncoding()
        return p.apply(out).toEncoding()
    }

    /** Token id -> token, as tokenizers' id_to_token: the added tokens (normalized ones as the normalizer
     *  makes them, the way tokenizers stores them) over the model's vocabulary. */
    private val tokenOf: Map<Int, String> by lazy {
        HashMap<Int, String>().also { m ->
            model.vocab.forEach { (token, id) -> m[id] = token }
            for (added in addedTokens) {
                val content = codePoints(added.content)
                m[added.id] = if (added.normalized) normalizeRange(normalizer, content, 0, content.size).text else added.content
            }
        }
    }
    private val specialTokens: Set<String> = addedTokens.filter { it.special }.map { it.content }.toSet()

    /**
     * `tokenizers.Tokenizer.decode`: each id as its token (unknown ids are dropped, special tokens too
     * when [skipSpecialTokens]), then tokenizer.json's decoder, or the tokens joined by spaces without one.
     * Throws [UnsupportedTokenizerException] for a decoder this kit does not implement.
     */
    fun decode(ids: IntArray, skipSpecialTokens: Boolean = true): String {
        (decoder as? UnsupportedDecoder)?.let { throw it.reason }
        val tokens = ids.asList().mapNotNull { tokenOf[it] }.filter { !skipSpecialTokens || it !in specialTokens }
        val step = decoder ?: return tokens.joinToString(" ")
        return step.decodeChain(tokens).joinToString("")
    }

    /** Why [decode] fails (a decoder this kit does not implement), or null when it works. */
    val decoderProblem: String? get() = (decoder as? UnsupportedDecoder)?.reason?.message

    fun pad(encoding: Encoding, length: Int): Encoding {
        val n = encoding.ids.size
        if (n >= length) return encoding
        val typeId = padding?.padTypeId ?: 0
        val token = padTokenText
        return Encoding(
            ids = IntArray(length) { if (it < n) encoding.ids[it] else padTokenId },
            typeIds = IntArray(length) { if (it < n) encoding.typeIds[it] else typeId },
            attentionMask = IntArray(length) { if (it < n) encoding.attentionMask[it] else 0 },
            offsets = Array(length) { if (it < n) encoding.offsets[it] else intArrayOf(0, 0) },
            tokens = Array(length) { if (it < n) encoding.tokens[it] else token },
            wordIds = IntArray(length) { if (it < n) encoding.wordIds[it] else Encoding.NO_WORD },
        )
    }

    private fun encodeSequence(text: String, typeId: Int): Seq {
        val original = codePoints(text)
        val identity = Normalized(original, IntArray(original.size) { it })

        // 1. Added tokens that match the raw text (normalized = false), then normalization of
        //    the rest and the added tokens that match normalized text.
        val splits = ArrayList<Split>()
        for (piece in rawMatcher.split(identity, 0, original.size)) {
            if (piece.tokens != null) { splits.add(piece); continue }
            val norm = normalizeRange(normalizer, original, piece.start, piece.end)
            splits.addAll(normalizedMatcher.split(norm, 0, norm.cps.size))
        }

        // 2. Pre-tokenization of the splits that are not added tokens.
        val words = ArrayList<Split>()
        for (s in splits) {
            if (s.tokens != null) { words.add(s); continue }
            preTokenizer.preTokenize(s, words)
        }

        // 3. The model over every word. (tokenizers 0.23.1 source stops early once max_length
        //    tokens are reached, which changes which side LongestFirst shortens; the released
        //    0.23.3 wheel edgepack pins tokenizes everything, and this follows the wheel.)
        for (w in words) if (w.tokens == null) w.tokens = model.tokenize(w)

        // Word ids number the pre-tokenized words (added tokens included) that are not empty, as
        // PreTokenizedString::into_encoding numbers its splits.
        val seq = Seq()
        var word = 0
        for (w in words) {
            if (w.end <= w.start) continue
            for (tok in w.tokens!!) seq.add(tok.id, typeId, tok.value, tok.start, tok.end, word = word)
            word++
        }
        return seq
    }
}
