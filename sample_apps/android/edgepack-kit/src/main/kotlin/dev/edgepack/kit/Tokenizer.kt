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
 *
 * with truncation, padding and added tokens. Anything else is refused with
 * [UnsupportedTokenizerException].
 *
 * Offsets are (start, end) in Unicode code points of the original text, as Python's
 * `Encoding.offsets` gives them; special tokens get (0, 0).
 *
 * Character classes (control, whitespace, punctuation, accents, lowercase, and the regex
 * classes \p{L}, \p{N}, \s of the byte-level split) come from [UnicodeTables], which are
 * measured from `tokenizers` itself rather than read from the platform: Android's ICU, the
 * JVM, the Rust crates and the Oniguruma build `tokenizers` uses each follow a different
 * Unicode version.
 */
class Encoding(
    val ids: IntArray,
    val typeIds: IntArray,
    val attentionMask: IntArray,
    val offsets: Array<IntArray>,
    val tokens: Array<String>,
)

class UnsupportedTokenizerException(message: String) : Exception(message)

class Tokenizer private constructor(
    private val model: ModelSpec,
    private val normalizer: BertNormalizerSpec?,
    private val preTokenizer: PreTokenizerSpec,
    private val processor: PostProcessorSpec,
    private val truncation: TruncationSpec?,
    private val padding: PaddingSpec?,
    private val addedTokens: List<AddedTokenSpec>,
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

    private val rawMatcher = Matcher(addedTokens.filter { !it.normalized }.map { codePoints(it.content) to it })
    private val normalizedMatcher = Matcher(addedTokens.filter { it.normalized }.map { codePoints(normalize(codePoints(it.content)).text) to it })

    companion object {
        fun fromJson(json: String): Tokenizer {
            val root = try {
                Json.parse(json)
            } catch (e: JsonException) {
                throw UnsupportedTokenizerException("tokenizer.json is not valid JSON: ${e.message}")
            } as? Map<*, *> ?: throw UnsupportedTokenizerException("tokenizer.json is not a JSON object")

            val model = root["model"] as? Map<*, *> ?: throw UnsupportedTokenizerException("tokenizer.json has no model")
            val modelSpec = when (val modelType = model["type"] as? String) {
                "WordPiece" -> wordPieceModel(model)
                "BPE" -> bpeModel(model)
                else -> throw UnsupportedTokenizerException("unsupported model ${modelType ?: "(untyped)"}: only WordPiece and BPE are supported")
            }

            val normalizer = when (val n = root["normalizer"]) {
                null -> null
                is Map<*, *> -> when (n["type"]) {
                    "BertNormalizer" -> {
                        val lowercase = n["lowercase"] as? Boolean ?: true
                        BertNormalizerSpec(
                            cleanText = n["clean_text"] as? Boolean ?: true,
                            handleChineseChars = n["handle_chinese_chars"] as? Boolean ?: true,
                            stripAccents = n["strip_accents"] as? Boolean ?: lowercase,
                            lowercase = lowercase,
                        )
                    }
                    // `Lowercase` is BertNormalizer's lowercasing step alone.
                    "Lowercase" -> BertNormalizerSpec(cleanText = false, handleChineseChars = false, stripAccents = false, lowercase = true)
                    else -> throw UnsupportedTokenizerException("unsupported normalizer ${n["type"]}: only BertNormalizer and Lowercase are supported")
                }
                else -> throw UnsupportedTokenizerException("malformed normalizer")
            }

            val preTokenizer = when (val p = root["pre_tokenizer"]) {
                null -> PreTokenizerSpec.None
                is Map<*, *> -> when (p["type"]) {
                    "BertPreTokenizer" -> PreTokenizerSpec.Bert
                    "ByteLevel" -> PreTokenizerSpec.ByteLevel(
                        addPrefixSpace = p["add_prefix_space"] as? Boolean ?: true,
                        useRegex = p["use_regex"] as? Boolean ?: true,
                    )
                    else -> throw UnsupportedTokenizerException("unsupported pre_tokenizer ${p["type"]}: only BertPreTokenizer and ByteLevel are supported")
                }
                else -> throw UnsupportedTokenizerException("malformed pre_tokenizer")
            }

            val processor = when (val p = root["post_processor"]) {
                null -> PostProcessorSpec(emptyList())
                is Map<*, *> -> {
                    val steps = processorSteps(p)
                    if (steps.count { it is TemplateStep } > 1) {
                        throw UnsupportedTokenizerException("unsupported post_processor: a Sequence with more than one special-token processor")
                    }
                    PostProcessorSpec(steps)
                }
                else -> throw UnsupportedTokenizerException("malformed post_processor")
            }

            val truncation = when (val t = root["truncation"]) {
                null -> null
                is Map<*, *> -> {
                    val strategy = t["strategy"] as? String ?: "LongestFirst"
                    if (strategy !in setOf("LongestFirst", "OnlyFirst", "OnlySecond")) {
                        throw UnsupportedTokenizerException("unsupported truncation strategy $strategy")
                    }
                    TruncationSpec(int(t["max_length"], "max_length"), strategy, (t["direction"] as? String ?: "Right") == "Left")
                }
                else -> throw UnsupportedTokenizerException("malformed truncation")
            }

            val padding = when (val p = root["padding"]) {
                null -> null
                is Map<*, *> -> {
                    val fixed = when (val s = p["strategy"]) {
                        "BatchLongest" -> null
                        is Map<*, *> -> int(s["Fixed"], "padding length")
                        else -> throw UnsupportedTokenizerException("unsupported padding strategy $s")
                    }
                    PaddingSpec(
                        fixed = fixed,
                        left = p["direction"] == "Left",
                        multipleOf = (p["pad_to_multiple_of"] as? Number)?.toInt(),
                        padId = (p["pad_id"] as? Number)?.toInt() ?: 0,
                        padTypeId = (p["pad_type_id"] as? Number)?.toInt() ?: 0,
                        padToken = p["pad_token"] as? String ?: "[PAD]",
                    )
                }
                else -> throw UnsupportedTokenizerException("malformed padding")
            }

            val added = (root["added_tokens"] as? List<*> ?: emptyList<Any?>()).mapNotNull { raw ->
                val m = raw as Map<*, *>
                val content = m["content"] as String
                if (content.isEmpty()) null else {
                    val special = m["special"] as? Boolean ?: false
                    AddedTokenSpec(
                        content = content,
                        id = int(m["id"], "added token id"),
                        singleWord = m["single_word"] as? Boolean ?: false,
                        lstrip = m["lstrip"] as? Boolean ?: false,
                        rstrip = m["rstrip"] as? Boolean ?: false,
                        normalized = m["normalized"] as? Boolean ?: !special,
                    )
                }
            }
            return Tokenizer(modelSpec, normalizer, preTokenizer, processor, truncation, padding, added)
        }

        private fun vocabOf(model: Map<*, *>, type: String): HashMap<String, Int> {
            val vocabJson = model["vocab"] as? Map<*, *> ?: throw UnsupportedTokenizerException("$type model has no vocab")
            val vocab = HashMap<String, Int>(vocabJson.size * 2)
            for ((k, v) in vocabJson) vocab[k as String] = int(v, "vocab id")
            return vocab
        }

        private fun wordPieceModel(model: Map<*, *>): WordPieceModel {
            val vocab = vocabOf(model, "WordPiece")
            val unk = model["unk_token"] as? String ?: "[UNK]"
            if (unk !in vocab) throw UnsupportedTokenizerException("WordPiece unk_token $unk is not in the vocab")
            val prefix = model["continuing_subword_prefix"] as? String ?: "##"
            val maxChars = (model["max_input_chars_per_word"] as? Number)?.toInt() ?: 100
            return WordPieceModel(vocab, unk, prefix, maxChars)
        }

        private fun bpeModel(model: Map<*, *>): BpeModel {
            val dropout = model["dropout"]
            if (dropout != null && (dropout !is Number || dropout.toDouble() != 0.0)) {
                throw UnsupportedTokenizerException("unsupported BPE dropout $dropout: only null or 0 is supported")
            }
            if (model["byte_fallback"] == true) throw UnsupportedTokenizerException("unsupported BPE byte_fallback true")
            val vocab = vocabOf(model, "BPE")
            val unk = model["unk_token"] as? String
            if (unk != null && unk !in vocab) throw UnsupportedTokenizerException("BPE unk_token $unk is not in the vocab")
            val prefix = model["continuing_subword_prefix"] as? String
            val suffix = model["end_of_word_suffix"] as? String
            val rawMerges = model["merges"] as? List<*> ?: throw UnsupportedTokenizerException("BPE model has no merges")
            // BPE::build: rank = position in the list (a later duplicate pair wins), new token =
            // a + b without b's continuing_subword_prefix.
            val pairs = ArrayList<Pair<String, String>>(rawMerges.size)
            for (m in rawMerges) {
                when (m) {
                    is String -> {
                        if (m.startsWith("#version")) continue
                        val parts = m.split(' ')
                        if (parts.size != 2) throw UnsupportedTokenizerException("malformed BPE merge \"$m\"")
                        pairs.add(parts[0] to parts[1])
                    }
                    is List<*> -> {
                        if (m.size != 2 || m[0] !is String || m[1] !is String) throw UnsupportedTokenizerException("malformed BPE merge $m")
                        pairs.add(m[0] as String to m[1] as String)
                    }
                    else -> throw UnsupportedTokenizerException("malformed BPE merge $m")
                }
            }
            val merges = HashMap<Long, Long>(pairs.size * 2)
            pairs.forEachIndexed { rank, (a, b) ->
                val aId = vocab[a] ?: throw UnsupportedTokenizerException("BPE merge token $a is not in the vocab")
                val bId = vocab[b] ?: throw UnsupportedTokenizerException("BPE merge token $b is not in the vocab")
                val cut = prefix?.length ?: 0
                if (cut > b.length || !b.startsWith(prefix ?: "")) {
                    throw UnsupportedTokenizerException("BPE merge token $b does not start with the continuing_subword_prefix")
                }
                val merged = a + b.substring(cut)
                val newId = vocab[merged] ?: throw UnsupportedTokenizerException("BPE merge result $merged is not in the vocab")
                merges[BpeModel.key(aId, bId)] = (rank.toLong() shl 32) or (newId.toLong() and 0xFFFFFFFFL)
            }
            return BpeModel(
                vocab = vocab,
                merges = merges,
                unkToken = unk,
                prefix = prefix,
                suffix = suffix,
                fuseUnk = model["fuse_unk"] as? Boolean ?: false,
                ignoreMerges = model["ignore_merges"] as? Boolean ?: false,
            )
        }

        private fun processorSteps(p: Map<*, *>): List<ProcessorStep> = when (p["type"]) {
            "TemplateProcessing" -> {
                val specials = HashMap<String, Pair<IntArray, Array<String>>>()
                (p["special_tokens"] as? Map<*, *>)?.forEach { (k, v) ->
                    val m = v as Map<*, *>
                    val ids = (m["ids"] as List<*>).map { int(it, "special token id") }.toIntArray()
                    val toks = (m["tokens"] as List<*>).map { it as String }.toTypedArray()
                    specials[k as String] = ids to toks
                }
                fun template(name: String): List<TemplatePiece> = (p[name] as? List<*>
                    ?: throw UnsupportedTokenizerException("TemplateProcessing has no $name template")).map { piece ->
                    val m = piece as Map<*, *>
                    val seq = m["Sequence"] as? Map<*, *>
                    val sp = m["SpecialToken"] as? Map<*, *>
                    when {
                        seq != null -> TemplatePiece(seq["id"] == "B", int(seq["type_id"], "type_id"), null, null)
                        sp != null -> {
                            val (ids, toks) = specials[sp["id"] as String]
                                ?: throw UnsupportedTokenizerException("TemplateProcessing uses undefined special token ${sp["id"]}")
                            TemplatePiece(false, int(sp["type_id"], "type_id"), ids, toks)
                        }
                        else -> throw UnsupportedTokenizerException("malformed TemplateProcessing piece")
                    }
                }
                listOf(TemplateStep(template("single"), template("pair")))
            }
            "BertProcessing" -> {
                val sep = p["sep"] as List<*>
                val cls = p["cls"] as List<*>
                val clsPiece = TemplatePiece(false, 0, intArrayOf(int(cls[1], "cls id")), arrayOf(cls[0] as String))
                fun sepPiece(type: Int) = TemplatePiece(false, type, intArrayOf(int(sep[1], "sep id")), arrayOf(sep[0] as String))
                listOf(TemplateStep(
                    listOf(clsPiece, TemplatePiece(false, 0, null, null), sepPiece(0)),
                    listOf(clsPiece, TemplatePiece(false, 0, null, null), sepPiece(0), TemplatePiece(true, 1, null, null), sepPiece(1)),
                ))
            }
            "RobertaProcessing" -> {
                // Offsets trimmed (if trim_offsets), every type id 0: <s> A </s> and <s> A </s> </s> B </s>.
                val sep = p["sep"] as? List<*> ?: listOf("</s>", 2L)
                val cls = p["cls"] as? List<*> ?: listOf("<s>", 0L)
                val clsPiece = TemplatePiece(false, 0, intArrayOf(int(cls[1], "cls id")), arrayOf(cls[0] as String))
                val sepPiece = TemplatePiece(false, 0, intArrayOf(int(sep[1], "sep id")), arrayOf(sep[0] as String))
                val a = TemplatePiece(false, 0, null, null)
                val b = TemplatePiece(true, 0, null, null)
                val trim = if (p["trim_offsets"] as? Boolean ?: true) listOf(TrimOffsetsStep(p["add_prefix_space"] as? Boolean ?: true)) else emptyList()
                trim + TemplateStep(listOf(clsPiece, a, sepPiece), listOf(clsPiece, a, sepPiece, sepPiece, b, sepPiece))
            }
            "ByteLevel" ->
                if (p["trim_offsets"] as? Boolean ?: true) listOf(TrimOffsetsStep(p["add_prefix_space"] as? Boolean ?: true)) else emptyList()
            "Sequence" -> (p["processors"] as? List<*> ?: throw UnsupportedTokenizerException("post_processor Sequence has no processors"))
                .flatMap {
                    val inner = it as? Map<*, *> ?: throw UnsupportedTokenizerException("malformed post_processor in Sequence")
                    if (inner["type"] == "Sequence") throw UnsupportedTokenizerException("unsupported post_processor: a Sequence inside a Sequence")
                    processorSteps(inner)
                }
            else -> throw UnsupportedTokenizerException(
                "unsupported post_processor ${p["type"]}: only TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel and Sequence are supported")
        }

        private fun int(v: Any?, what: String): Int = (v as? Number)?.toInt()
            ?: throw UnsupportedTokenizerException("tokenizer.json: $what is not a number")
    }

    // ------------------------------------------------------------------ encoding

    fun encode(text: String, pair: String? = null): Encoding {
        var a = encodeSequence(text, 0)
        var b = pair?.let { encodeSequence(it, 1) }

        // 1. Truncation, counting the post-processor's special tokens.
        truncation?.let { t ->
            val added = processor.addedTokens(b != null)
            val max = if (added > 0) t.maxLength - added else t.maxLength
            val (ta, tb) = truncate(a, b, max, t)
            a = ta; b = tb
        }

        // 2. Post-processing (special tokens).
        val out = processor.apply(a, b)

        // 3. Padding from tokenizer.json.
        val p = padding ?: return out.toEncoding()
        var target = p.fixed ?: out.ids.size
        val multiple = p.multipleOf
        if (multiple != null && multiple > 0 && target % multiple > 0) target += multiple - target % multiple
        return padSeq(out, target, p.padId, p.padTypeId, p.padToken, p.left).toEncoding()
    }

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
        )
    }

    /** One sequence before post-processing; offsets are code points of that sequence's text. */
    internal class Seq(
        val ids: MutableList<Int> = ArrayList(),
        val typeIds: MutableList<Int> = ArrayList(),
        val tokens: MutableList<String> = ArrayList(),
        val starts: MutableList<Int> = ArrayList(),
        val ends: MutableList<Int> = ArrayList(),
        val mask: MutableList<Int> = ArrayList(),
    ) {
        fun add(id: Int, type: Int, token: String, start: Int, end: Int, attention: Int = 1) {
            ids.add(id); typeIds.add(type); tokens.add(token); starts.add(start); ends.add(end); mask.add(attention)
        }

        fun slice(from: Int, to: Int): Seq = Seq(
            ids.subList(from, to).toMutableList(), typeIds.subList(from, to).toMutableList(),
            tokens.subList(from, to).toMutableList(), starts.subList(from, to).toMutableList(),
            ends.subList(from, to).toMutableList(), mask.subList(from, to).toMutableList(),
        )

        fun toEncoding() = Encoding(
            ids.toIntArray(), typeIds.toIntArray(), mask.toIntArray(),
            Array(ids.size) { intArrayOf(starts[it], ends[it]) }, tokens.toTypedArray(),
        )
    }

    /** A normalized string: code points, and for each the index of the original code point it came from. */
    private class Normalized(val cps: IntArray, val align: IntArray) {
        val text: String get() = buildString { cps.forEach { appendCodePoint(it) } }
    }

    /** A split of a sequence: either already a token (an added token) or normalized text to tokenize. */
    private class Split(val normalized: Normalized, val start: Int, val end: Int, var tokens: List<Tok>?)

    private class Tok(val id: Int, val value: String, val start: Int, val end: Int)

    private fun encodeSequence(text: String, typeId: Int): Seq {
        val original = codePoints(text)
        val identity = Normalized(original, IntArray(original.size) { it })

        // 1. Added tokens that match the raw text (normalized = false), then normalization of
        //    the rest and the added tokens that match normalized text.
        val splits = ArrayList<Split>()
        for (piece in splitAdded(identity, 0, original.size, rawMatcher)) {
            if (piece.tokens != null) { splits.add(piece); continue }
            val norm = normalizeRange(original, piece.start, piece.end)
            splits.addAll(splitAdded(norm, 0, norm.cps.size, normalizedMatcher))
        }

        // 2. Pre-tokenization of the splits that are not added tokens.
        val words = ArrayList<Split>()
        for (s in splits) {
            if (s.tokens != null) { words.add(s); continue }
            when (val pre = preTokenizer) {
                PreTokenizerSpec.None -> words.add(s)
                PreTokenizerSpec.Bert -> bertPreTokenize(s, words)
                is PreTokenizerSpec.ByteLevel -> byteLevelPreTokenize(s, pre, words)
            }
        }

        // 3. The model over every word. (tokenizers 0.23.1 source stops early once max_length
        //    tokens are reached, which changes which side LongestFirst shortens; the released
        //    0.23.3 wheel edgepack pins tokenizes everything, and this follows the wheel.)
        for (w in words) if (w.tokens == null) w.tokens = when (val m = model) {
            is WordPieceModel -> wordPiece(m, w)
            is BpeModel -> bpe(m, w)
        }

        val seq = Seq()
        for (w in words) for (tok in w.tokens!!) seq.add(tok.id, typeId, tok.value, tok.start, tok.end)
        return seq
    }

    private fun bertPreTokenize(s: Split, words: MutableList<Split>) {
        val cps = s.normalized.cps
        var i = s.start
        var wordStart = -1
        while (i < s.end) {
            val c = cps[i]
            if (UnicodeData.isWhitespace(c)) {
                if (wordStart >= 0) { words.add(Split(s.normalized, wordStart, i, null)); wordStart = -1 }
            } else if (UnicodeData.isPunctuation(c)) {
                if (wordStart >= 0) { words.add(Split(s.normalized, wordStart, i, null)); wordStart = -1 }
                words.add(Split(s.normalized, i, i + 1, null))
            } else if (wordStart < 0) {
                wordStart = i
            }
            i++
        }
        if (wordStart >= 0) words.add(Split(s.normalized, wordStart, s.end, null))
    }

    /**
     * ByteLevel: a space before the split (add_prefix_space, unless it starts with one; the
     * space is aligned with the split's first character), the GPT-2 regex split, then every
     * UTF-8 byte mapped to its GPT-2 byte character, aligned with the character it came from.
     */
    private fun byteLevelPreTokenize(s: Split, pre: PreTokenizerSpec.ByteLevel, words: MutableList<Split>) {
        if (s.end <= s.start) return
        val src = s.normalized
        val prefix = pre.addPrefixSpace && src.cps[s.start] != ' '.code
        val n = s.end - s.start + (if (prefix) 1 else 0)
        val cps = IntArray(n)
        val align = IntArray(n)
        var k = 0
        if (prefix) { cps[0] = ' '.code; align[0] = src.align[s.start]; k = 1 }
        for (i in s.start until s.end) { cps[k] = src.cps[i]; align[k] = src.align[i]; k++ }
        val pieces = if (pre.useRegex) ByteLevelRegex.split(cps) else listOf(intArrayOf(0, n))
        for ((a, b) in pieces) {
            val bytes = IntArrayBuilder((b - a) * 2)
            val bytesAlign = IntArrayBuilder((b - a) * 2)
            for (i in a until b) {
                val c = cps[i]
                when {
                    c < 0x80 -> bytes.add(ByteLevelRegex.byteChar(c))
                    c < 0x800 -> { bytes.add(ByteLevelRegex.byteChar(0xC0 or (c shr 6))); bytes.add(ByteLevelRegex.byteChar(0x80 or (c and 0x3F))) }
                    c < 0x10000 -> {
                        bytes.add(ByteLevelRegex.byteChar(0xE0 or (c shr 12))); bytes.add(ByteLevelRegex.byteChar(0x80 or ((c shr 6) and 0x3F)))
                        bytes.add(ByteLevelRegex.byteChar(0x80 or (c and 0x3F)))
                    }
                    else -> {
                        bytes.add(ByteLevelRegex.byteChar(0xF0 or (c shr 18))); bytes.add(ByteLevelRegex.byteChar(0x80 or ((c shr 12) and 0x3F)))
                        bytes.add(ByteLevelRegex.byteChar(0x80 or ((c shr 6) and 0x3F))); bytes.add(ByteLevelRegex.byteChar(0x80 or (c and 0x3F)))
                    }
                }
                while (bytesAlign.size < bytes.size) bytesAlign.add(align[i])
            }
            val word = Normalized(bytes.toArray(), bytesAlign.toArray())
            words.add(Split(word, 0, word.cps.size, null))
        }
    }

    private fun wordPiece(m: WordPieceModel, w: Split): List<Tok> {
        val cps = w.normalized.cps
        val align = w.normalized.align
        val n = w.end - w.start
        fun unk() = listOf(Tok(m.vocab[m.unkToken]!!, m.unkToken, align[w.start], align[w.end - 1] + 1))
        if (n > m.maxInputCharsPerWord) return unk()
        val out = ArrayList<Tok>()
        var start = 0
        while (start < n) {
            var end = n
            var found: Tok? = null
            while (start < end) {
                val sb = StringBuilder()
                if (start > 0) sb.append(m.subwordPrefix)
                for (k in w.start + start until w.start + end) sb.appendCodePoint(cps[k])
                val piece = sb.toString()
                val id = m.vocab[piece]
                if (id != null) {
                    found = Tok(id, piece, align[w.start + start], align[w.start + end - 1] + 1)
                    break
                }
                end--
            }
            if (found == null) return unk()
            out.add(found)
            start = end
        }
        return out
    }

    /**
     * BPE::tokenize (no dropout): ignore_merges, then merge_word (per-character vocab lookup
     * with continuing_subword_prefix / end_of_word_suffix, unk and fuse_unk; a character
     * without a vocab entry and no unk_token is dropped, and as in `tokenizers` the offsets
     * of what follows are not shifted for it), then Word::merge_all.
     */
    private fun bpe(m: BpeModel, w: Split): List<Tok> {
        val cps = w.normalized.cps
        val align = w.normalized.align
        val n = w.end - w.start
        if (n <= 0) return emptyList()
        fun text(from: Int, to: Int) = buildString { for (k in from until to) appendCodePoint(cps[k]) }
        if (m.ignoreMerges) {
            val whole = text(w.start, w.end)
            m.vocab[whole]?.let { return listOf(Tok(it, whole, align[w.start], align[w.end - 1] + 1)) }
        }
        val ids = IntArrayBuilder(n)
        val lens = IntArrayBuilder(n)
        var unkId = -1
        var unkLen = 0
        for (k in 0 until n) {
            var s = text(w.start + k, w.start + k + 1)
            if (k > 0 && m.prefix != null) s = m.prefix + s
            if (k == n - 1 && m.suffix != null) s += m.suffix
            val id = m.vocab[s]
            if (id != null) {
                if (unkId >= 0) { ids.add(unkId); lens.add(unkLen); unkId = -1 }
                ids.add(id); lens.add(1)
            } else if (m.unkToken != null) {
                if (unkId >= 0 && m.fuseUnk) {
                    unkLen += 1
                } else {
                    if (unkId >= 0) { ids.add(unkId); lens.add(unkLen) }
                    unkId = m.vocab[m.unkToken]!!; unkLen = 1
                }
            }
        }
        if (unkId >= 0) { ids.add(unkId); lens.add(unkLen) }
        val (symbols, lengths) = m.mergeAll(ids.toArray(), lens.toArray())
        val out = ArrayList<Tok>(symbols.size)
        var pos = w.start
        for (k in symbols.indices) {
            val end = pos + lengths[k]
            out.add(Tok(symbols[k], m.token(symbols[k]), align[pos], align[end - 1] + 1))
            pos = end
        }
        return out
    }

    // ------------------------------------------------------------------ normalization

    private fun normalize(original: IntArray): Normalized = normalizeRange(original, 0, original.size)

    private fun normalizeRange(original: IntArray, from: Int, to: Int): Normalized {
        val spec = normalizer ?: return Normalized(original.copyOfRange(from, to), IntArray(to - from) { from + it })
        // clean_text and handle_chinese_chars: every output character keeps the alignment
        // (original index) of the character it came from.
        var cps = IntArrayBuilder(to - from)
        var align = IntArrayBuilder(to - from)
        for (i in from until to) {
            var c = original[i]
            if (spec.cleanText) {
                if (UnicodeData.isControl(c)) continue
                if (UnicodeData.isCleanSpace(c)) c = ' '.code
            }
            if (spec.handleChineseChars && isChineseChar(c)) {
                cps.add(' '.code); cps.add(c); cps.add(' '.code)
                align.add(i); align.add(i); align.add(i)
            } else {
                cps.add(c); align.add(i)
            }
        }
        if (spec.stripAccents) {
            val (c2, a2) = stripAccents(cps.toArray(), align.toArray())
            cps = c2; align = a2
        }
        if (!spec.lowercase) return Normalized(cps.toArray(), align.toArray())
        val lc = IntArrayBuilder(cps.size)
        val la = IntArrayBuilder(cps.size)
        val src = cps.toArray()
        val srcAlign = align.toArray()
        for (k in src.indices) {
            val lower = UnicodeData.lowercase(src[k])
            if (lower == null) { lc.add(src[k]); la.add(srcAlign[k]) } else for (l in lower) { lc.add(l); la.add(srcAlign[k]) }
        }
        return Normalized(lc.toArray(), la.toArray())
    }

    /**
     * NFD then removal of non-spacing marks, aligned the way `NormalizedString::transform`
     * aligns the output of unicode-normalization-alignments: characters are canonically
     * reordered, the k-th character that starts a decomposition takes the alignment of the
     * k-th input character (by position, not by origin), and the other characters of a
     * decomposition take the alignment of the last input character consumed.
     */
    private fun stripAccents(cps: IntArray, align: IntArray): Pair<IntArrayBuilder, IntArrayBuilder> {
        val chars = IntArrayBuilder(cps.size + 8)
        val firsts = IntArrayBuilder(cps.size + 8)
        for (c in cps) {
            if (c in 0xAC00..0xD7A3) {
                val s = c - 0xAC00
                chars.add(0x1100 + s / 588); firsts.add(1)
                chars.add(0x1161 + (s % 588) / 28); firsts.add(0)
                if (s % 28 != 0) { chars.add(0x11A7 + s % 28); firsts.add(0) }
                continue
            }
            val d = UnicodeData.decomposition(c)
            if (d == null) { chars.add(c); firsts.add(1) } else d.forEachIndexed { k, x -> chars.add(x); firsts.add(if (k == 0) 1 else 0) }
        }
        val ch = chars.toArray()
        val first = firsts.toArray()
        // Canonical ordering: stable sort by combining class within each run that follows a starter.
        var runStart = 0
        fun sortRun(a: Int, b: Int) {
            if (b - a < 2) return
            val idx = (a until b).sortedBy { UnicodeData.combiningClass(ch[it]) }
            val c2 = idx.map { ch[it] }
            val f2 = idx.map { first[it] }
            for (k in a until b) { ch[k] = c2[k - a]; first[k] = f2[k - a] }
        }
        for (k in ch.indices) {
            if (UnicodeData.combiningClass(ch[k]) == 0) { sortRun(runStart, k); runStart = k }
        }
        sortRun(runStart, ch.size)
        val outC = IntArrayBuilder(ch.size)
        val outA = IntArrayBuilder(ch.size)
        var consumed = 0
        for (k in ch.indices) {
            val a = if (first[k] == 1) align[consumed++] else if (consumed > 0) align[consumed - 1] else 0
            if (UnicodeData.isNonspacingMark(ch[k])) continue
            outC.add(ch[k]); outA.add(a)
        }
        return outC to outA
    }

    private fun isChineseChar(c: Int): Boolean =
        c in 0x4E00..0x9FFF || c in 0x3400..0x4DBF || c in 0x20000..0x2A6DF || c in 0x2A700..0x2B73F ||
            c in 0x2B740..0x2B81F || c in 0x2B920..0x2CEAF || c in 0xF900..0xFAFF || c in 0x2F800..0x2FA1F

    // ------------------------------------------------------------------ added tokens

    private class Matcher(patterns: List<Pair<IntArray, AddedTokenSpec>>) {
        val byFirst: Map<Int, List<Pair<IntArray, AddedTokenSpec>>> = patterns.filter { it.first.isNotEmpty() }
            .groupBy { it.first[0] }
            .mapValues { (_, v) -> v.sortedByDescending { it.first.size } }
        val empty = byFirst.isEmpty()

        /** Leftmost-longest non-overlapping match at or after [from], before [to]. */
        fun find(hay: IntArray, from: Int, to: Int): Triple<Int, Int, AddedTokenSpec>? {
            for (i in from until to) {
                val candidates = byFirst[hay[i]] ?: continue
                for ((p, tok) in candidates) {
                    if (i + p.size > to) continue
                    var ok = true
                    for (k in 1 until p.size) if (hay[i + k] != p[k]) { ok = false; break }
                    if (ok) return Triple(i, i + p.size, tok)
                }
            }
            return null
        }
    }

    /** AddedVocabulary::find_matches + split_with_indices over normalized[from, to). */
    private fun splitAdded(n: Normalized, from: Int, to: Int, matcher: Matcher): List<Split> {
        val out = ArrayList<Split>()
        fun piece(s: Int, e: Int, tok: AddedTokenSpec?) {
            if (s >= e) return // empty splits are dropped
            if (tok == null) {
                out.add(Split(n, s, e, null))
            } else {
                val value = buildString { for (k in s until e) appendCodePoint(n.cps[k]) }
                out.add(Split(n, s, e, listOf(Tok(tok.id, value, n.align[s], n.align[e - 1] + 1))))
            }
        }
        if (matcher.empty) { piece(from, to, null); return out }
        val hay = n.cps
        var startOffset = from
        var searchFrom = from
        while (true) {
            val m = matcher.find(hay, searchFrom, to) ?: break
            var (start, stop, tok) = m
            searchFrom = stop
            if (tok.singleWord) {
                val startSpace = start == from || !UnicodeData.isWordChar(hay[start - 1])
                val stopSpace = stop == to || !UnicodeData.isWordChar(hay[stop])
                if (!startSpace || !stopSpace) continue
            }
            if (tok.lstrip) {
                var s = start
                while (s > from && UnicodeData.isWhitespace(hay[s - 1])) s--
                start = maxOf(s, startOffset)
            }
            if (tok.rstrip) {
                while (stop < to && UnicodeData.isWhitespace(hay[stop])) stop++
            }
            if (startOffset < start) piece(startOffset, start, null)
            piece(start, stop, tok)
            startOffset = stop
        }
        if (startOffset < to) piece(startOffset, to, null)
        return out
    }

    // ------------------------------------------------------------------ truncation & post-processing

    private fun truncateSeq(s: Seq, max: Int, left: Boolean): Seq {
        val n = s.ids.size
        if (max >= n) return s
        return if (left) s.slice(n - max, n) else s.slice(0, max)
    }

    private fun truncate(a: Seq, b: Seq?, maxLength: Int, t: TruncationSpec): Pair<Seq, Seq?> {
        if (maxLength <= 0) return truncateSeq(a, 0, t.left) to b?.let { truncateSeq(it, 0, t.left) }
        val total = a.ids.size + (b?.ids?.size ?: 0)
        if (total <= maxLength) return a to b
        val toRemove = total - maxLength
        return when (t.strategy) {
            "LongestFirst" -> if (b == null) {
                truncateSeq(a, total - toRemove, t.left) to null
            } else {
                var n1 = a.ids.size
                var n2 = b.ids.size
                var swap = false
                if (n1 > n2) { swap = true; val x = n1; n1 = n2; n2 = x }
                n2 = if (n1 > maxLength) n1 else maxOf(n1, maxLength - n1)
                if (n1 + n2 > maxLength) { n1 = maxLength / 2; n2 = n1 + maxLength % 2 }
                if (swap) { val x = n1; n1 = n2; n2 = x }
                truncateSeq(a, n1, t.left) to truncateSeq(b, n2, t.left)
            }
            else -> {
                val first = t.strategy == "OnlyFirst"
                val target = if (first) a else b ?: throw IllegalArgumentException("Truncation error: Second sequence not provided")
                val len = target.ids.size
                if (len <= toRemove) throw IllegalArgumentException("Truncation error: Sequence to truncate too short to respect the provided max_length")
                val cut = truncateSeq(target, len - toRemove, t.left)
                if (first) cut to b else a to cut
            }
        }
    }

    private fun padSeq(s: Seq, target: Int, id: Int, typeId: Int, token: String, left: Boolean): Seq {
        val missing = target - s.ids.size
        if (missing <= 0) return s
        val pad = Seq()
        repeat(missing) { pad.add(id, typeId, token, 0, 0, 0) }
        val out = Seq()
        for (part in if (left) listOf(pad, s) else listOf(s, pad)) {
            for (k in part.ids.indices) out.add(part.ids[k], part.typeIds[k], part.tokens[k], part.starts[k], part.ends[k], part.mask[k])
        }
        return out
    }
}

internal class BertNormalizerSpec(val cleanText: Boolean, val handleChineseChars: Boolean, val stripAccents: Boolean, val lowercase: Boolean)

internal sealed class PreTokenizerSpec {
    object None : PreTokenizerSpec()
    object Bert : PreTokenizerSpec()
    class ByteLevel(val addPrefixSpace: Boolean, val useRegex: Boolean) : PreTokenizerSpec()
}

internal sealed class ModelSpec(val vocab: Map<String, Int>)

internal class WordPieceModel(vocab: Map<String, Int>, val unkToken: String, val subwordPrefix: String, val maxInputCharsPerWord: Int) :
    ModelSpec(vocab)

/** [merges]: (left id, right id) packed by [key] -> (rank shl 32) or new id. */
internal class BpeModel(
    vocab: Map<String, Int>,
    private val merges: Map<Long, Long>,
    val unkToken: String?,
    val prefix: String?,
    val suffix: String?,
    val fuseUnk: Boolean,
    val ignoreMerges: Boolean,
) : ModelSpec(vocab) {
    private val reverse: Map<Int, String> = HashMap<Int, String>(vocab.size * 2).also { r -> vocab.forEach { (k, v) -> r[v] = k } }

    fun token(id: Int): String = reverse[id] ?: ""

    companion object {
        fun key(a: Int, b: Int): Long = (a.toLong() shl 32) or (b.toLong() and 0xFFFFFFFFL)
    }

    private class Merge(val pos: Int, val rank: Int, val newId: Int)

    /** Word::merge_all without dropout: lowest rank first, then leftmost; stale entries skipped. */
    fun mergeAll(ids: IntArray, lens: IntArray): Pair<IntArray, IntArray> {
        val m = ids.size
        if (m < 2) return ids to lens
        val c = ids.copyOf()
        val len = lens.copyOf()
        val prev = IntArray(m) { it - 1 }
        val next = IntArray(m) { if (it == m - 1) -1 else it + 1 }
        val queue = java.util.PriorityQueue<Merge>(m) { x, y -> if (x.rank != y.rank) x.rank.compareTo(y.rank) else x.pos.compareTo(y.pos) }
        fun push(pos: Int, a: Int, b: Int) {
            val v = merges[key(a, b)] ?: return
            queue.add(Merge(pos, (v ushr 32).toInt(), v.toInt()))
        }
        for (i in 0 until m - 1) push(i, c[i], c[i + 1])
        while (true) {
            val top = queue.poll() ?: break
            if (len[top.pos] == 0) continue
            val right = next[top.pos]
            if (right == -1) continue
            val target = merges[key(c[top.pos], c[right])]
            if (target == null || target.toInt() != top.newId) continue
            val rightNext = next[right]
            c[top.pos] = top.newId
            len[top.pos] += len[right]
            next[top.pos] = rightNext
            len[right] = 0
            if (rightNext in 0 until m) prev[rightNext] = top.pos
            if (prev[top.pos] >= 0) push(prev[top.pos], c[prev[top.pos]], c[top.pos])
            if (rightNext in 0 until m) push(top.pos, c[top.pos], c[rightNext])
        }
        val outIds = IntArrayBuilder(m)
        val outLens = IntArrayBuilder(m)
        for (i in 0 until m) if (len[i] != 0) { outIds.add(c[i]); outLens.add(len[i]) }
        return outIds.toArray() to outLens.toArray()
    }
}

internal class TruncationSpec(val maxLength: Int, val strategy: String, val left: Boolean)

internal class PaddingSpec(val fixed: Int?, val left: Boolean, val multipleOf: Int?, val padId: Int, val padTypeId: Int, val padToken: String)

internal class AddedTokenSpec(
    val content: String, val id: Int, val singleWord: Boolean, val lstrip: Boolean, val rstrip: Boolean, val normalized: Boolean,
)

/** A template piece: a sequence (A, or B when [isB]) or special tokens ([ids] non-null). */
internal class TemplatePiece(val isB: Boolean, val typeId: Int, val ids: IntArray?, val tokens: Array<String>?)

/** One `process_encodings` step of a post-processor (a Sequence chains several). */
internal sealed class ProcessorStep

/** TemplateProcessing / BertProcessing / RobertaProcessing's special tokens and type ids. */
internal class TemplateStep(val single: List<TemplatePiece>, val pair: List<TemplatePiece>) : ProcessorStep()

/** ByteLevel's process_offsets (trim_offsets), on every encoding of the list. */
internal class TrimOffsetsStep(val addPrefixSpace: Boolean) : ProcessorStep()

internal class PostProcessorSpec(private val steps: List<ProcessorStep>) {
    fun addedTokens(isPair: Boolean): Int = steps.sumOf { step ->
        if (step is TemplateStep) (if (isPair) step.pair else step.single).sumOf { it.ids?.size ?: 0 } else 0
    }

    /** PostProcessor::process: [a] (type ids 0) and [b] (type ids 1) through every step, then merged. */
    fun apply(a: Tokenizer.Seq, b: Tokenizer.Seq?): Tokenizer.Seq {
        var encodings: List<Tokenizer.Seq> = listOfNotNull(a, b)
        for (step in steps) {
            encodings = when (step) {
                is TrimOffsetsStep -> encodings.map { trimOffsets(it, step.addPrefixSpace) }
                is TemplateStep -> applyTemplate(step, encodings)
            }
        }
        val out = Tokenizer.Seq()
        for (s in encodings) for (k in s.ids.indices) out.add(s.ids[k], s.typeIds[k], s.tokens[k], s.starts[k], s.ends[k], s.mask[k])
        return out
    }

    private fun applyTemplate(step: TemplateStep, encodings: List<Tokenizer.Seq>): List<Tokenizer.Seq> {
        val template = if (encodings.size == 2) step.pair else step.single
        val out = ArrayList<Tokenizer.Seq>()
        for (piece in template) {
            val ids = piece.ids
            val s = Tokenizer.Seq()
            if (ids != null) {
                for (k in ids.indices) s.add(ids[k], piece.typeId, piece.tokens!![k], 0, 0)
            } else {
                val src = encodings.getOrNull(if (piece.isB) 1 else 0) ?: continue
                for (k in src.ids.indices) s.add(src.ids[k], piece.typeId, src.tokens[k], src.starts[k], src.ends[k], src.mask[k])
            }
            out.add(s)
        }
        return out
    }

    /** byte_level::process_offsets: leading/trailing 'Ġ' or whitespace characters leave the offsets. */
    private fun trimOffsets(s: Tokenizer.Seq, addPrefixSpace: Boolean): Tokenizer.Seq {
        val out = Tokenizer.Seq()
        for (i in s.ids.indices) {
            var start = s.starts[i]
            var end = s.ends[i]
            val cps = codePoints(s.tokens[i])
            fun space(c: Int) = c == 0x120 || UnicodeData.isWhitespace(c)
            var leading = 0
            while (leading < cps.size && space(cps[leading])) leading++
            var trailing = 0
            while (trailing < cps.size && space(cps[cps.size - 1 - trailing])) trailing++
            if (leading > 0) {
                val isFirst = i == 0 || start == 0
                if (isFirst && addPrefixSpace && leading == 1) leading = 0
                start = minOf(start + leading, end)
            }
            if (trailing > 0 && end >= trailing) end = maxOf(end - trailing, start)
            out.add(s.ids[i], s.typeIds[i], s.tokens[i], start, end, s.mask[i])
        }
        return out
    }
}

/** The GPT-2 split regex of the ByteLevel pre-tokenizer, and its byte-to-unicode table. */
internal object ByteLevelRegex {
    private val bytesChar: IntArray = IntArray(256).also { table ->
        var n = 0
        for (b in 0 until 256) {
            val printable = b in 0x21..0x7E || b in 0xA1..0xAC || b in 0xAE..0xFF
            table[b] = if (printable) b else 256 + n++
        }
    }

    fun byteChar(b: Int): Int = bytesChar[b]

    private fun isL(c: Int) = UnicodeData.isRegexLetter(c)
    private fun isN(c: Int) = UnicodeData.isRegexNumber(c)
    private fun isS(c: Int) = UnicodeData.isRegexSpace(c)

    private val contractions = listOf("s", "t", "re", "ve", "m", "ll", "d").map { codePoints(it) }

    /**
     * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (Oniguruma,
     * leftmost-first), as SplitDelimiterBehavior::Isolated: matches and the text between them.
     */
    fun split(cps: IntArray): List<IntArray> {
        val n = cps.size
        val out = ArrayList<IntArray>()
        var gap = 0
        var p = 0
        while (p < n) {
            val end = matchAt(cps, p)
            if (end < 0) { p++; continue }
            if (gap < p) out.add(intArrayOf(gap, p))
            out.add(intArrayOf(p, end))
            p = end
            gap = end
        }
        if (gap < n) out.add(intArrayOf(gap, n))
        return out
    }

    /** End of the match starting at [p], or -1. */
    private fun matchAt(cps: IntArray, p: Int): Int {
        val n = cps.size
        val c = cps[p]
        if (c == '\''.code) {
            for (tail in contractions) {
                if (p + tail.size < n + 0 && p + 1 + tail.size <= n) {
                    var ok = true
                    for (k in tail.indices) if (cps[p + 1 + k] != tail[k]) { ok = false; break }
                    if (ok) return p + 1 + tail.size
                }
            }
        }
        // ` ?X+` for X = \p{L}, \p{N}, [^\s\p{L}\p{N}]: the optional space is tried first.
        for (cls in 0 until 3) {
            fun inClass(x: Int) = when (cls) {
                0 -> isL(x)
                1 -> isN(x)
                else -> !isS(x) && !isL(x) && !isN(x)
            }
            val from = when {
                c == ' '.code && p + 1 < n && inClass(cps[p + 1]) -> p + 1
                inClass(c) -> p
                else -> continue
            }
            var e = from + 1
            while (e < n && inClass(cps[e])) e++
            return e
        }
        // `\s+(?!\S)`, then `\s+`.
        var r = p
        while (r < n && isS(cps[r])) r++
        if (r == p) return -1
        if (r == n) return r
        return if (r - p >= 2) r - 1 else r
    }
}

private class IntArrayBuilder(capacity: Int) {
    private var data = IntArray(maxOf(capacity, 4))
    var size = 0
        private set

    fun add(v: Int) {
        if (size == data.size) data = data.copyOf(data.size * 2)
        data[size++] = v
    }

    fun toArray(): IntArray = data.copyOf(size)
}

private fun codePoints(s: String): IntArray {
    val out = IntArrayBuilder(s.length)
    var i = 0
    while (i < s.length) {
        val c = s.codePointAt(i)
        out.add(c)
        i += Character.charCount(c)
    }
    return out.toArray()
}

/** Lookups over [UnicodeTables], parsed once. */
internal object UnicodeData {
    private class RangeSet(spec: String) {
        val starts: IntArray
        val ends: IntArray

        init {
            val parts = if (spec.isEmpty()) emptyList() else spec.split(',')
            starts = IntArray(parts.size)
            ends = IntArray(parts.size)
            parts.forEachIndexed { i, p ->
                val dash = p.indexOf('-')
                if (dash < 0) { starts[i] = p.toInt(16); ends[i] = starts[i] } else {
                    starts[i] = p.substring(0, dash).toInt(16); ends[i] = p.substring(dash + 1).toInt(16)
                }
            }
        }

        operator fun contains(c: Int): Boolean {
            var lo = 0
            var hi = starts.size - 1
            while (lo <= hi) {
                val mid = (lo + hi) ushr 1
                when {
                    c < starts[mid] -> hi = mid - 1
                    c > ends[mid] -> lo = mid + 1
                    else -> return true
                }
            }
            return false
        }
    }

    private fun mapping(spec: String): Map<Int, IntArray> {
        val out = HashMap<Int, IntArray>()
        if (spec.isEmpty()) return out
        for (entry in spec.split(';')) {
            val eq = entry.indexOf('=')
            val value = entry.substring(eq + 1)
            out[entry.substring(0, eq).toInt(16)] = if (value.isEmpty()) IntArray(0) else value.split('.').map { it.toInt(16) }.toIntArray()
        }
        return out
    }

    private val control by lazy { RangeSet(UnicodeTables.CONTROL) }
    private val cleanSpace by lazy { RangeSet(UnicodeTables.CLEAN_SPACE) }
    private val whitespace by lazy { RangeSet(UnicodeTables.WHITESPACE) }
    private val punctuation by lazy { RangeSet(UnicodeTables.PUNCTUATION) }
    private val decompositions by lazy { mapping(UnicodeTables.DECOMPOSITION) }
    private val nonspacing by lazy { RangeSet(UnicodeTables.NONSPACING_MARK) }
    private val classes: Map<Int, Int> by lazy {
        val out = HashMap<Int, Int>()
        for (span in UnicodeTables.COMBINING_CLASS.split(',')) {
            if (span.isEmpty()) continue
            val (range, k) = span.split(':')
            val (a, b) = range.split('-').map { it.toInt(16) }
            for (c in a..b) out[c] = k.toInt(16)
        }
        out
    }
    private val lower by lazy { mapping(UnicodeTables.LOWERCASE) }

    private val regexLetter by lazy { RangeSet(UnicodeTables.REGEX_LETTER) }
    private val regexNumber by lazy { RangeSet(UnicodeTables.REGEX_NUMBER) }
    private val regexSpace by lazy { RangeSet(UnicodeTables.REGEX_SPACE) }
    private val word by lazy { RangeSet(UnicodeTables.WORD) }

    fun isControl(c: Int) = c in control
    fun isCleanSpace(c: Int) = c in cleanSpace
    fun isWhitespace(c: Int) = c in whitespace
    fun isPunctuation(c: Int) = c in punctuation
    fun decomposition(c: Int): IntArray? = decompositions[c]
    fun isNonspacingMark(c: Int) = c in nonspacing
    fun combiningClass(c: Int): Int = classes[c] ?: 0
    fun lowercase(c: Int): IntArray? = lower[c]

    /** `\p{L}`, `\p{N}` and `\s` of the ByteLevel split regex (Oniguruma's Unicode tables). */
    fun isRegexLetter(c: Int) = c in regexLetter
    fun isRegexNumber(c: Int) = c in regexNumber
    fun isRegexSpace(c: Int) = c in regexSpace

    /** Regex `\w` as the Rust regex crate defines it (used for single_word added tokens); the
     *  JVM's Character data is an older Unicode and misses thousands of word characters. */
    fun isWordChar(c: Int) = c in word
}

// <generated-unicode-tables>
// Measured from Hugging Face tokenizers 0.23.3 by tools/unicode_tables.py
// (`python -m tools.unicode_tables`); do not edit by hand.
internal object UnicodeTables {
    /** clean_text removes these (NUL, U+FFFD, control/format/private-use). */
    val CONTROL: String = "0-8,b-c,e-1f,7f-9f,ad,600-605,61c,6dd,70f,180e,200b-200f,202a-202e,2060-2064,2066-206f,e000-f8ff,feff,fff9-fffb,fffd,110bd,1bca0-1bca3,1d173-1d17a,e0001,e0020-e007f,f0000-ffffd,100000-10fffd"
    /** clean_text maps these to ' '. */
    val CLEAN_SPACE: String = "9-a,d,20,a0,1680,2000-200a,2028-2029,202f,205f,3000"
    /** BertPreTokenizer splits on these (Rust char::is_whitespace). */
    val WHITESPACE: String = "9-d,20,85,a0,1680,2000-200a,2028-2029,202f,205f,3000"
    /** BertPreTokenizer isolates these. */
    val PUNCTUATION: String = "21-2f,3a-40,5b-60,7b-7e,a1,a7,ab,b6-b7,bb,bf,37e,387,55a-55f,589-58a,5be,5c0,5c3,5c6,5f3-5f4,609-60a,60c-60d,61b,61e-61f,66a-66d,6d4,700-70d,7f7-7f9,830-83e,85e,964-965,970,af0,df4,e4f,e5a-e5b,f04-f12,f14,f3a-f3d,f85,fd0-fd4,fd9-fda,104a-104f,10fb,1360-1368,1400,166d-166e,169b-169c,16eb-16ed,1735-1736,17d4-17d6,17d8-17da,1800-180a,1944-1945,1a1e-1a1f,1aa0-1aa6,1aa8-1aad,1b5a-1b60,1bfc-1bff,1c3b-1c3f,1c7e-1c7f,1cc0-1cc7,1cd3,2010-2027,2030-2043,2045-2051,2053-205e,207d-207e,208d-208e,2308-230b,2329-232a,2768-2775,27c5-27c6,27e6-27ef,2983-2998,29d8-29db,29fc-29fd,2cf9-2cfc,2cfe-2cff,2d70,2e00-2e2e,2e30-2e42,3001-3003,3008-3011,3014-301f,3030,303d,30a0,30fb,a4fe-a4ff,a60d-a60f,a673,a67e,a6f2-a6f7,a874-a877,a8ce-a8cf,a8f8-a8fa,a8fc,a92e-a92f,a95f,a9c1-a9cd,a9de-a9df,aa5c-aa5f,aade-aadf,aaf0-aaf1,abeb,fd3e-fd3f,fe10-fe19,fe30-fe52,fe54-fe61,fe63,fe68,fe6a-fe6b,ff01-ff03,ff05-ff0a,ff0c-ff0f,ff1a-ff1b,ff1f-ff20,ff3b-ff3d,ff3f,ff5b,ff5d,ff5f-ff65,10100-10102,1039f,103d0,1056f,10857,1091f,1093f,10a50-10a58,10a7f,10af0-10af6,10b39-10b3f,10b99-10b9c,11047-1104d,110bb-110bc,110be-110c1,11140-11143,11174-11175,111c5-111c9,111cd,111db,111dd-111df,11238-1123d,112a9,114c6,115c1-115d7,11641-11643,1173c-1173e,12470-12474,16a6e-16a6f,16af5,16b37-16b3b,16b44,1bc9f,1da87-1da8b"
    /** Canonical decompositions (Hangul syllables are computed). */
    val DECOMPOSITION: String = "c0=41.300;c1=41.301;c2=41.302;c3=41.303;c4=41.308;c5=41.30a;c7=43.327;c8=45.300;c9=45.301;ca=45.302;cb=45.308;cc=49.300;cd=49.301;ce=49.302;cf=49.308;d1=4e.303;d2=4f.300;d3=4f.301;d4=4f.302;d5=4f.303;d6=4f.308;d9=55.300;da=55.301;db=55.302;dc=55.308;dd=59.301;e0=61.300;e1=61.301;e2=61.302;e3=61.303;e4=61.308;e5=61.30a;e7=63.327;e8=65.300;e9=65.301;ea=65.302;eb=65.308;ec=69.300;ed=69.301;ee=69.302;ef=69.308;f1=6e.303;f2=6f.300;f3=6f.301;f4=6f.302;f5=6f.303;f6=6f.308;f9=75.300;fa=75.301;fb=75.302;fc=75.308;fd=79.301;ff=79.308;100=41.304;101=61.304;102=41.306;103=61.306;104=41.328;105=61.328;106=43.301;107=63.301;108=43.302;109=63.302;10a=43.307;10b=63.307;10c=43.30c;10d=63.30c;10e=44.30c;10f=64.30c;112=45.304;113=65.304;114=45.306;115=65.306;116=45.307;117=65.307;118=45.328;119=65.328;11a=45.30c;11b=65.30c;11c=47.302;11d=67.302;11e=47.306;11f=67.306;120=47.307;121=67.307;122=47.327;123=67.327;124=48.302;125=68.302;128=49.303;129=69.303;12a=49.304;12b=69.304;12c=49.306;12d=69.306;12e=49.328;12f=69.328;130=49.307;134=4a.302;135=6a.302;136=4b.327;137=6b.327;139=4c.301;13a=6c.301;13b=4c.327;13c=6c.327;13d=4c.30c;13e=6c.30c;143=4e.301;144=6e.301;145=4e.327;146=6e.327;147=4e.30c;148=6e.30c;14c=4f.304;14d=6f.304;14e=4f.306;14f=6f.306;150=4f.30b;151=6f.30b;154=52.301;155=72.301;156=52.327;157=72.327;158=52.30c;159=72.30c;15a=53.301;15b=73.301;15c=53.302;15d=73.302;15e=53.327;15f=73.327;160=53.30c;161=73.30c;162=54.327;163=74.327;164=54.30c;165=74.30c;168=55.303;169=75.303;16a=55.304;16b=75.304;16c=55.306;16d=75.306;16e=55.30a;16f=75.30a;170=55.30b;171=75.30b;172=55.328;173=75.328;174=57.302;175=77.302;176=59.302;177=79.302;178=59.308;179=5a.301;17a=7a.301;17b=5a.307;17c=7a.307;17d=5a.30c;17e=7a.30c;1a0=4f.31b;1a1=6f.31b;1af=55.31b;1b0=75.31b;1cd=41.30c;1ce=61.30c;1cf=49.30c;1d0=69.30c;1d1=4f.30c;1d2=6f.30c;1d3=55.30c;1d4=75.30c;1d5=55.308.304;1d6=75.308.304;1d7=55.308.301;1d8=75.308.301;1d9=55.308.30c;1da=75.308.30c;1db=55.308.300;1dc=75.308.300;1de=41.308.304;1df=61.308.304;1e0=41.307.304;1e1=61.307.304;1e2=c6.304;1e3=e6.304;1e6=47.30c;1e7=67.30c;1e8=4b.30c;1e9=6b.30c;1ea=4f.328;1eb=6f.328;1ec=4f.328.304;1ed=6f.328.304;1ee=1b7.30c;1ef=292.30c;1f0=6a.30c;1f4=47.301;1f5=67.301;1f8=4e.300;1f9=6e.300;1fa=41.30a.301;1fb=61.30a.301;1fc=c6.301;1fd=e6.301;1fe=d8.301;1ff=f8.301;200=41.30f;201=61.30f;202=41.311;203=61.311;204=45.30f;205=65.30f;206=45.311;207=65.311;208=49.30f;209=69.30f;20a=49.311;20b=69.311;20c=4f.30f;20d=6f.30f;20e=4f.311;20f=6f.311;210=52.30f;211=72.30f;212=52.311;213=72.311;214=55.30f;215=75.30f;216=55.311;217=75.311;218=53.326;219=73.326;21a=54.326;21b=74.326;21e=48.30c;21f=68.30c;226=41.307;227=61.307;228=45.327;229=65.327;22a=4f.308.304;22b=6f.308.304;22c=4f.303.304;22d=6f.303.304;22e=4f.307;22f=6f.307;230=4f.307.304;231=6f.307.304;232=59.304;233=79.304;340=300;341=301;343=313;344=308.301;374=2b9;37e=3b;385=a8.301;386=391.301;387=b7;388=395.301;389=397.301;38a=399.301;38c=39f.301;38e=3a5.301;38f=3a9.301;390=3b9.308.301;3aa=399.308;3ab=3a5.308;3ac=3b1.301;3ad=3b5.301;3ae=3b7.301;3af=3b9.301;3b0=3c5.308.301;3ca=3b9.308;3cb=3c5.308;3cc=3bf.301;3cd=3c5.301;3ce=3c9.301;3d3=3d2.301;3d4=3d2.308;400=415.300;401=415.308;403=413.301;407=406.308;40c=41a.301;40d=418.300;40e=423.306;419=418.306;439=438.306;450=435.300;451=435.308;453=433.301;457=456.308;45c=43a.301;45d=438.300;45e=443.306;476=474.30f;477=475.30f;4c1=416.306;4c2=436.306;4d0=410.306;4d1=430.306;4d2=410.308;4d3=430.308;4d6=415.306;4d7=435.306;4da=4d8.308;4db=4d9.308;4dc=416.308;4dd=436.308;4de=417.308;4df=437.308;4e2=418.304;4e3=438.304;4e4=418.308;4e5=438.308;4e6=41e.308;4e7=43e.308;4ea=4e8.308;4eb=4e9.308;4ec=42d.308;4ed=44d.308;4ee=423.304;4ef=443.304;4f0=423.308;4f1=443.308;4f2=423.30b;4f3=443.30b;4f4=427.308;4f5=447.308;4f8=42b.308;4f9=44b.308;622=627.653;623=627.654;624=648.654;625=627.655;626=64a.654;6c0=6d5.654;6c2=6c1.654;6d3=6d2.654;929=928.93c;931=930.93c;934=933.93c;958=915.93c;959=916.93c;95a=917.93c;95b=91c.93c;95c=921.93c;95d=922.93c;95e=92b.93c;95f=92f.93c;9cb=9c7.9be;9cc=9c7.9d7;9dc=9a1.9bc;9dd=9a2.9bc;9df=9af.9bc;a33=a32.a3c;a36=a38.a3c;a59=a16.a3c;a5a=a17.a3c;a5b=a1c.a3c;a5e=a2b.a3c;b48=b47.b56;b4b=b47.b3e;b4c=b47.b57;b5c=b21.b3c;b5d=b22.b3c;b94=b92.bd7;bca=bc6.bbe;bcb=bc7.bbe;bcc=bc6.bd7;c48=c46.c56;cc0=cbf.cd5;cc7=cc6.cd5;cc8=cc6.cd6;cca=cc6.cc2;ccb=cc6.cc2.cd5;d4a=d46.d3e;d4b=d47.d3e;d4c=d46.d57;dda=dd9.dca;ddc=dd9.dcf;ddd=dd9.dcf.dca;dde=dd9.ddf;f43=f42.fb7;f4d=f4c.fb7;f52=f51.fb7;f57=f56.fb7;f5c=f5b.fb7;f69=f40.fb5;f73=f71.f72;f75=f71.f74;f76=fb2.f80;f78=fb3.f80;f81=f71.f80;f93=f92.fb7;f9d=f9c.fb7;fa2=fa1.fb7;fa7=fa6.fb7;fac=fab.fb7;fb9=f90.fb5;1026=1025.102e;1b06=1b05.1b35;1b08=1b07.1b35;1b0a=1b09.1b35;1b0c=1b0b.1b35;1b0e=1b0d.1b35;1b12=1b11.1b35;1b3b=1b3a.1b35;1b3d=1b3c.1b35;1b40=1b3e.1b35;1b41=1b3f.1b35;1b43=1b42.1b35;1e00=41.325;1e01=61.325;1e02=42.307;1e03=62.307;1e04=42.323;1e05=62.323;1e06=42.331;1e07=62.331;1e08=43.327.301;1e09=63.327.301;1e0a=44.307;1e0b=64.307;1e0c=44.323;1e0d=64.323;1e0e=44.331;1e0f=64.331;1e10=44.327;1e11=64.327;1e12=44.32d;1e13=64.32d;1e14=45.304.300;1e15=65.304.300;1e16=45.304.301;1e17=65.304.301;1e18=45.32d;1e19=65.32d;1e1a=45.330;1e1b=65.330;1e1c=45.327.306;1e1d=65.327.306;1e1e=46.307;1e1f=66.307;1e20=47.304;1e21=67.304;1e22=48.307;1e23=68.307;1e24=48.323;1e25=68.323;1e26=48.308;1e27=68.308;1e28=48.327;1e29=68.327;1e2a=48.32e;1e2b=68.32e;1e2c=49.330;1e2d=69.330;1e2e=49.308.301;1e2f=69.308.301;1e30=4b.301;1e31=6b.301;1e32=4b.323;1e33=6b.323;1e34=4b.331;1e35=6b.331;1e36=4c.323;1e37=6c.323;1e38=4c.323.304;1e39=6c.323.304;1e3a=4c.331;1e3b=6c.331;1e3c=4c.32d;1e3d=6c.32d;1e3e=4d.301;1e3f=6d.301;1e40=4d.307;1e41=6d.307;1e42=4d.323;1e43=6d.323;1e44=4e.307;1e45=6e.307;1e46=4e.323;1e47=6e.323;1e48=4e.331;1e49=6e.331;1e4a=4e.32d;1e4b=6e.32d;1e4c=4f.303.301;1e4d=6f.303.301;1e4e=4f.303.308;1e4f=6f.303.308;1e50=4f.304.300;1e51=6f.304.300;1e52=4f.304.301;1e53=6f.304.301;1e54=50.301;1e55=70.301;1e56=50.307;1e57=70.307;1e58=52.307;1e59=72.307;1e5a=52.323;1e5b=72.323;1e5c=52.323.304;1e5d=72.323.304;1e5e=52.331;1e5f=72.331;1e60=53.307;1e61=73.307;1e62=53.323;1e63=73.323;1e64=53.301.307;1e65=73.301.307;1e66=53.30c.307;1e67=73.30c.307;1e68=53.323.307;1e69=73.323.307;1e6a=54.307;1e6b=74.307;1e6c=54.323;1e6d=74.323;1e6e=54.331;1e6f=74.331;1e70=54.32d;1e71=74.32d;1e72=55.324;1e73=75.324;1e74=55.330;1e75=75.330;1e76=55.32d;1e77=75.32d;1e78=55.303.301;1e79=75.303.301;1e7a=55.304.308;1e7b=75.304.308;1e7c=56.303;1e7d=76.303;1e7e=56.323;1e7f=76.323;1e80=57.300;1e81=77.300;1e82=57.301;1e83=77.301;1e84=57.308;1e85=77.308;1e86=57.307;1e87=77.307;1e88=57.323;1e89=77.323;1e8a=58.307;1e8b=78.307;1e8c=58.308;1e8d=78.308;1e8e=59.307;1e8f=79.307;1e90=5a.302;1e91=7a.302;1e92=5a.323;1e93=7a.323;1e94=5a.331;1e95=7a.331;1e96=68.331;1e97=74.308;1e98=77.30a;1e99=79.30a;1e9b=17f.307;1ea0=41.323;1ea1=61.323;1ea2=41.309;1ea3=61.309;1ea4=41.302.301;1ea5=61.302.301;1ea6=41.302.300;1ea7=61.302.300;1ea8=41.302.309;1ea9=61.302.309;1eaa=41.302.303;1eab=61.302.303;1eac=41.323.302;1ead=61.323.302;1eae=41.306.301;1eaf=61.306.301;1eb0=41.306.300;1eb1=61.306.300;1eb2=41.306.309;1eb3=61.306.309;1eb4=41.306.303;1eb5=61.306.303;1eb6=41.323.306;1eb7=61.323.306;1eb8=45.323;1eb9=65.323;1eba=45.309;1ebb=65.309;1ebc=45.303;1ebd=65.303;1ebe=45.302.301;1ebf=65.302.301;1ec0=45.302.300;1ec1=65.302.300;1ec2=45.302.309;1ec3=65.302.309;1ec4=45.302.303;1ec5=65.302.303;1ec6=45.323.302;1ec7=65.323.302;1ec8=49.309;1ec9=69.309;1eca=49.323;1ecb=69.323;1ecc=4f.323;1ecd=6f.323;1ece=4f.309;1ecf=6f.309;1ed0=4f.302.301;1ed1=6f.302.301;1ed2=4f.302.300;1ed3=6f.302.300;1ed4=4f.302.309;1ed5=6f.302.309;1ed6=4f.302.303;1ed7=6f.302.303;1ed8=4f.323.302;1ed9=6f.323.302;1eda=4f.31b.301;1edb=6f.31b.301;1edc=4f.31b.300;1edd=6f.31b.300;1ede=4f.31b.309;1edf=6f.31b.309;1ee0=4f.31b.303;1ee1=6f.31b.303;1ee2=4f.31b.323;1ee3=6f.31b.323;1ee4=55.323;1ee5=75.323;1ee6=55.309;1ee7=75.309;1ee8=55.31b.301;1ee9=75.31b.301;1eea=55.31b.300;1eeb=75.31b.300;1eec=55.31b.309;1eed=75.31b.309;1eee=55.31b.303;1eef=75.31b.303;1ef0=55.31b.323;1ef1=75.31b.323;1ef2=59.300;1ef3=79.300;1ef4=59.323;1ef5=79.323;1ef6=59.309;1ef7=79.309;1ef8=59.303;1ef9=79.303;1f00=3b1.313;1f01=3b1.314;1f02=3b1.313.300;1f03=3b1.314.300;1f04=3b1.313.301;1f05=3b1.314.301;1f06=3b1.313.342;1f07=3b1.314.342;1f08=391.313;1f09=391.314;1f0a=391.313.300;1f0b=391.314.300;1f0c=391.313.301;1f0d=391.314.301;1f0e=391.313.342;1f0f=391.314.342;1f10=3b5.313;1f11=3b5.314;1f12=3b5.313.300;1f13=3b5.314.300;1f14=3b5.313.301;1f15=3b5.314.301;1f18=395.313;1f19=395.314;1f1a=395.313.300;1f1b=395.314.300;1f1c=395.313.301;1f1d=395.314.301;1f20=3b7.313;1f21=3b7.314;1f22=3b7.313.300;1f23=3b7.314.300;1f24=3b7.313.301;1f25=3b7.314.301;1f26=3b7.313.342;1f27=3b7.314.342;1f28=397.313;1f29=397.314;1f2a=397.313.300;1f2b=397.314.300;1f2c=397.313.301;1f2d=397.314.301;1f2e=397.313.342;1f2f=397.314.342;1f30=3b9.313;1f31=3b9.314;1f32=3b9.313.300;1f33=3b9.314.300;1f34=3b9.313.301;1f35=3b9.314.301;1f36=3b9.313.342;1f37=3b9.314.342;1f38=399.313;1f39=399.314;1f3a=399.313.300;1f3b=399.314.300;1f3c=399.313.301;1f3d=399.314.301;1f3e=399.313.342;1f3f=399.314.342;1f40=3bf.313;1f41=3bf.314;1f42=3bf.313.300;1f43=3bf.314.300;1f44=3bf.313.301;1f45=3bf.314.301;1f48=39f.313;1f49=39f.314;1f4a=39f.313.300;1f4b=39f.314.300;1f4c=39f.313.301;1f4d=39f.314.301;1f50=3c5.313;1f51=3c5.314;1f52=3c5.313.300;1f53=3c5.314.300;1f54=3c5.313.301;1f55=3c5.314.301;1f56=3c5.313.342;1f57=3c5.314.342;1f59=3a5.314;1f5b=3a5.314.300;1f5d=3a5.314.301;1f5f=3a5.314.342;1f60=3c9.313;1f61=3c9.314;1f62=3c9.313.300;1f63=3c9.314.300;1f64=3c9.313.301;1f65=3c9.314.301;1f66=3c9.313.342;1f67=3c9.314.342;1f68=3a9.313;1f69=3a9.314;1f6a=3a9.313.300;1f6b=3a9.314.300;1f6c=3a9.313.301;1f6d=3a9.314.301;1f6e=3a9.313.342;1f6f=3a9.314.342;1f70=3b1.300;1f71=3b1.301;1f72=3b5.300;1f73=3b5.301;1f74=3b7.300;1f75=3b7.301;1f76=3b9.300;1f77=3b9.301;1f78=3bf.300;1f79=3bf.301;1f7a=3c5.300;1f7b=3c5.301;1f7c=3c9.300;1f7d=3c9.301;1f80=3b1.313.345;1f81=3b1.314.345;1f82=3b1.313.300.345;1f83=3b1.314.300.345;1f84=3b1.313.301.345;1f85=3b1.314.301.345;1f86=3b1.313.342.345;1f87=3b1.314.342.345;1f88=391.313.345;1f89=391.314.345;1f8a=391.313.300.345;1f8b=391.314.300.345;1f8c=391.313.301.345;1f8d=391.314.301.345;1f8e=391.313.342.345;1f8f=391.314.342.345;1f90=3b7.313.345;1f91=3b7.314.345;1f92=3b7.313.300.345;1f93=3b7.314.300.345;1f94=3b7.313.301.345;1f95=3b7.314.301.345;1f96=3b7.313.342.345;1f97=3b7.314.342.345;1f98=397.313.345;1f99=397.314.345;1f9a=397.313.300.345;1f9b=397.314.300.345;1f9c=397.313.301.345;1f9d=397.314.301.345;1f9e=397.313.342.345;1f9f=397.314.342.345;1fa0=3c9.313.345;1fa1=3c9.314.345;1fa2=3c9.313.300.345;1fa3=3c9.314.300.345;1fa4=3c9.313.301.345;1fa5=3c9.314.301.345;1fa6=3c9.313.342.345;1fa7=3c9.314.342.345;1fa8=3a9.313.345;1fa9=3a9.314.345;1faa=3a9.313.300.345;1fab=3a9.314.300.345;1fac=3a9.313.301.345;1fad=3a9.314.301.345;1fae=3a9.313.342.345;1faf=3a9.314.342.345;1fb0=3b1.306;1fb1=3b1.304;1fb2=3b1.300.345;1fb3=3b1.345;1fb4=3b1.301.345;1fb6=3b1.342;1fb7=3b1.342.345;1fb8=391.306;1fb9=391.304;1fba=391.300;1fbb=391.301;1fbc=391.345;1fbe=3b9;1fc1=a8.342;1fc2=3b7.300.345;1fc3=3b7.345;1fc4=3b7.301.345;1fc6=3b7.342;1fc7=3b7.342.345;1fc8=395.300;1fc9=395.301;1fca=397.300;1fcb=397.301;1fcc=397.345;1fcd=1fbf.300;1fce=1fbf.301;1fcf=1fbf.342;1fd0=3b9.306;1fd1=3b9.304;1fd2=3b9.308.300;1fd3=3b9.308.301;1fd6=3b9.342;1fd7=3b9.308.342;1fd8=399.306;1fd9=399.304;1fda=399.300;1fdb=399.301;1fdd=1ffe.300;1fde=1ffe.301;1fdf=1ffe.342;1fe0=3c5.306;1fe1=3c5.304;1fe2=3c5.308.300;1fe3=3c5.308.301;1fe4=3c1.313;1fe5=3c1.314;1fe6=3c5.342;1fe7=3c5.308.342;1fe8=3a5.306;1fe9=3a5.304;1fea=3a5.300;1feb=3a5.301;1fec=3a1.314;1fed=a8.300;1fee=a8.301;1fef=60;1ff2=3c9.300.345;1ff3=3c9.345;1ff4=3c9.301.345;1ff6=3c9.342;1ff7=3c9.342.345;1ff8=39f.300;1ff9=39f.301;1ffa=3a9.300;1ffb=3a9.301;1ffc=3a9.345;1ffd=b4;2000=2002;2001=2003;2126=3a9;212a=4b;212b=41.30a;219a=2190.338;219b=2192.338;21ae=2194.338;21cd=21d0.338;21ce=21d4.338;21cf=21d2.338;2204=2203.338;2209=2208.338;220c=220b.338;2224=2223.338;2226=2225.338;2241=223c.338;2244=2243.338;2247=2245.338;2249=2248.338;2260=3d.338;2262=2261.338;226d=224d.338;226e=3c.338;226f=3e.338;2270=2264.338;2271=2265.338;2274=2272.338;2275=2273.338;2278=2276.338;2279=2277.338;2280=227a.338;2281=227b.338;2284=2282.338;2285=2283.338;2288=2286.338;2289=2287.338;22ac=22a2.338;22ad=22a8.338;22ae=22a9.338;22af=22ab.338;22e0=227c.338;22e1=227d.338;22e2=2291.338;22e3=2292.338;22ea=22b2.338;22eb=22b3.338;22ec=22b4.338;22ed=22b5.338;2329=3008;232a=3009;2adc=2add.338;304c=304b.3099;304e=304d.3099;3050=304f.3099;3052=3051.3099;3054=3053.3099;3056=3055.3099;3058=3057.3099;305a=3059.3099;305c=305b.3099;305e=305d.3099;3060=305f.3099;3062=3061.3099;3065=3064.3099;3067=3066.3099;3069=3068.3099;3070=306f.3099;3071=306f.309a;3073=3072.3099;3074=3072.309a;3076=3075.3099;3077=3075.309a;3079=3078.3099;307a=3078.309a;307c=307b.3099;307d=307b.309a;3094=3046.3099;309e=309d.3099;30ac=30ab.3099;30ae=30ad.3099;30b0=30af.3099;30b2=30b1.3099;30b4=30b3.3099;30b6=30b5.3099;30b8=30b7.3099;30ba=30b9.3099;30bc=30bb.3099;30be=30bd.3099;30c0=30bf.3099;30c2=30c1.3099;30c5=30c4.3099;30c7=30c6.3099;30c9=30c8.3099;30d0=30cf.3099;30d1=30cf.309a;30d3=30d2.3099;30d4=30d2.309a;30d6=30d5.3099;30d7=30d5.309a;30d9=30d8.3099;30da=30d8.309a;30dc=30db.3099;30dd=30db.309a;30f4=30a6.3099;30f7=30ef.3099;30f8=30f0.3099;30f9=30f1.3099;30fa=30f2.3099;30fe=30fd.3099;f900=8c48;f901=66f4;f902=8eca;f903=8cc8;f904=6ed1;f905=4e32;f906=53e5;f907=9f9c;f908=9f9c;f909=5951;f90a=91d1;f90b=5587;f90c=5948;f90d=61f6;f90e=7669;f90f=7f85;f910=863f;f911=87ba;f912=88f8;f913=908f;f914=6a02;f915=6d1b;f916=70d9;f917=73de;f918=843d;f919=916a;f91a=99f1;f91b=4e82;f91c=5375;f91d=6b04;f91e=721b;f91f=862d;f920=9e1e;f921=5d50;f922=6feb;f923=85cd;f924=8964;f925=62c9;f926=81d8;f927=881f;f928=5eca;f929=6717;f92a=6d6a;f92b=72fc;f92c=90ce;f92d=4f86;f92e=51b7;f92f=52de;f930=64c4;f931=6ad3;f932=7210;f933=76e7;f934=8001;f935=8606;f936=865c;f937=8def;f938=9732;f939=9b6f;f93a=9dfa;f93b=788c;f93c=797f;f93d=7da0;f93e=83c9;f93f=9304;f940=9e7f;f941=8ad6;f942=58df;f943=5f04;f944=7c60;f945=807e;f946=7262;f947=78ca;f948=8cc2;f949=96f7;f94a=58d8;f94b=5c62;f94c=6a13;f94d=6dda;f94e=6f0f;f94f=7d2f;f950=7e37;f951=964b;f952=52d2;f953=808b;f954=51dc;f955=51cc;f956=7a1c;f957=7dbe;f958=83f1;f959=9675;f95a=8b80;f95b=62cf;f95c=6a02;f95d=8afe;f95e=4e39;f95f=5be7;f960=6012;f961=7387;f962=7570;f963=5317;f964=78fb;f965=4fbf;f966=5fa9;f967=4e0d;f968=6ccc;f969=6578;f96a=7d22;f96b=53c3;f96c=585e;f96d=7701;f96e=8449;f96f=8aaa;f970=6bba;f971=8fb0;f972=6c88;f973=62fe;f974=82e5;f975=63a0;f976=7565;f977=4eae;f978=5169;f979=51c9;f97a=6881;f97b=7ce7;f97c=826f;f97d=8ad2;f97e=91cf;f97f=52f5;f980=5442;f981=5973;f982=5eec;f983=65c5;f984=6ffe;f985=792a;f986=95ad;f987=9a6a;f988=9e97;f989=9ece;f98a=529b;f98b=66c6;f98c=6b77;f98d=8f62;f98e=5e74;f98f=6190;f990=6200;f991=649a;f992=6f23;f993=7149;f994=7489;f995=79ca;f996=7df4;f997=806f;f998=8f26;f999=84ee;f99a=9023;f99b=934a;f99c=5217;f99d=52a3;f99e=54bd;f99f=70c8;f9a0=88c2;f9a1=8aaa;f9a2=5ec9;f9a3=5ff5;f9a4=637b;f9a5=6bae;f9a6=7c3e;f9a7=7375;f9a8=4ee4;f9a9=56f9;f9aa=5be7;f9ab=5dba;f9ac=601c;f9ad=73b2;f9ae=7469;f9af=7f9a;f9b0=8046;f9b1=9234;f9b2=96f6;f9b3=9748;f9b4=9818;f9b5=4f8b;f9b6=79ae;f9b7=91b4;f9b8=96b8;f9b9=60e1;f9ba=4e86;f9bb=50da;f9bc=5bee;f9bd=5c3f;f9be=6599;f9bf=6a02;f9c0=71ce;f9c1=7642;f9c2=84fc;f9c3=907c;f9c4=9f8d;f9c5=6688;f9c6=962e;f9c7=5289;f9c8=677b;f9c9=67f3;f9ca=6d41;f9cb=6e9c;f9cc=7409;f9cd=7559;f9ce=786b;f9cf=7d10;f9d0=985e;f9d1=516d;f9d2=622e;f9d3=9678;f9d4=502b;f9d5=5d19;f9d6=6dea;f9d7=8f2a;f9d8=5f8b;f9d9=6144;f9da=6817;f9db=7387;f9dc=9686;f9dd=5229;f9de=540f;f9df=5c65;f9e0=6613;f9e1=674e;f9e2=68a8;f9e3=6ce5;f9e4=7406;f9e5=75e2;f9e6=7f79;f9e7=88cf;f9e8=88e1;f9e9=91cc;f9ea=96e2;f9eb=533f;f9ec=6eba;f9ed=541d;f9ee=71d0;f9ef=7498;f9f0=85fa;f9f1=96a3;f9f2=9c57;f9f3=9e9f;f9f4=6797;f9f5=6dcb;f9f6=81e8;f9f7=7acb;f9f8=7b20;f9f9=7c92;f9fa=72c0;f9fb=7099;f9fc=8b58;f9fd=4ec0;f9fe=8336;f9ff=523a;fa00=5207;fa01=5ea6;fa02=62d3;fa03=7cd6;fa04=5b85;fa05=6d1e;fa06=66b4;fa07=8f3b;fa08=884c;fa09=964d;fa0a=898b;fa0b=5ed3;fa0c" +
        "=5140;fa0d=55c0;fa10=585a;fa12=6674;fa15=51de;fa16=732a;fa17=76ca;fa18=793c;fa19=795e;fa1a=7965;fa1b=798f;fa1c=9756;fa1d=7cbe;fa1e=7fbd;fa20=8612;fa22=8af8;fa25=9038;fa26=90fd;fa2a=98ef;fa2b=98fc;fa2c=9928;fa2d=9db4;fa2e=90de;fa2f=96b7;fa30=4fae;fa31=50e7;fa32=514d;fa33=52c9;fa34=52e4;fa35=5351;fa36=559d;fa37=5606;fa38=5668;fa39=5840;fa3a=58a8;fa3b=5c64;fa3c=5c6e;fa3d=6094;fa3e=6168;fa3f=618e;fa40=61f2;fa41=654f;fa42=65e2;fa43=6691;fa44=6885;fa45=6d77;fa46=6e1a;fa47=6f22;fa48=716e;fa49=722b;fa4a=7422;fa4b=7891;fa4c=793e;fa4d=7949;fa4e=7948;fa4f=7950;fa50=7956;fa51=795d;fa52=798d;fa53=798e;fa54=7a40;fa55=7a81;fa56=7bc0;fa57=7df4;fa58=7e09;fa59=7e41;fa5a=7f72;fa5b=8005;fa5c=81ed;fa5d=8279;fa5e=8279;fa5f=8457;fa60=8910;fa61=8996;fa62=8b01;fa63=8b39;fa64=8cd3;fa65=8d08;fa66=8fb6;fa67=9038;fa68=96e3;fa69=97ff;fa6a=983b;fa6b=6075;fa6c=242ee;fa6d=8218;fa70=4e26;fa71=51b5;fa72=5168;fa73=4f80;fa74=5145;fa75=5180;fa76=52c7;fa77=52fa;fa78=559d;fa79=5555;fa7a=5599;fa7b=55e2;fa7c=585a;fa7d=58b3;fa7e=5944;fa7f=5954;fa80=5a62;fa81=5b28;fa82=5ed2;fa83=5ed9;fa84=5f69;fa85=5fad;fa86=60d8;fa87=614e;fa88=6108;fa89=618e;fa8a=6160;fa8b=61f2;fa8c=6234;fa8d=63c4;fa8e=641c;fa8f=6452;fa90=6556;fa91=6674;fa92=6717;fa93=671b;fa94=6756;fa95=6b79;fa96=6bba;fa97=6d41;fa98=6edb;fa99=6ecb;fa9a=6f22;fa9b=701e;fa9c=716e;fa9d=77a7;fa9e=7235;fa9f=72af;faa0=732a;faa1=7471;faa2=7506;faa3=753b;faa4=761d;faa5=761f;faa6=76ca;faa7=76db;faa8=76f4;faa9=774a;faaa=7740;faab=78cc;faac=7ab1;faad=7bc0;faae=7c7b;faaf=7d5b;fab0=7df4;fab1=7f3e;fab2=8005;fab3=8352;fab4=83ef;fab5=8779;fab6=8941;fab7=8986;fab8=8996;fab9=8abf;faba=8af8;fabb=8acb;fabc=8b01;fabd=8afe;fabe=8aed;fabf=8b39;fac0=8b8a;fac1=8d08;fac2=8f38;fac3=9072;fac4=9199;fac5=9276;fac6=967c;fac7=96e3;fac8=9756;fac9=97db;faca=97ff;facb=980b;facc=983b;facd=9b12;face=9f9c;facf=2284a;fad0=22844;fad1=233d5;fad2=3b9d;fad3=4018;fad4=4039;fad5=25249;fad6=25cd0;fad7=27ed3;fad8=9f43;fad9=9f8e;fb1d=5d9.5b4;fb1f=5f2.5b7;fb2a=5e9.5c1;fb2b=5e9.5c2;fb2c=5e9.5bc.5c1;fb2d=5e9.5bc.5c2;fb2e=5d0.5b7;fb2f=5d0.5b8;fb30=5d0.5bc;fb31=5d1.5bc;fb32=5d2.5bc;fb33=5d3.5bc;fb34=5d4.5bc;fb35=5d5.5bc;fb36=5d6.5bc;fb38=5d8.5bc;fb39=5d9.5bc;fb3a=5da.5bc;fb3b=5db.5bc;fb3c=5dc.5bc;fb3e=5de.5bc;fb40=5e0.5bc;fb41=5e1.5bc;fb43=5e3.5bc;fb44=5e4.5bc;fb46=5e6.5bc;fb47=5e7.5bc;fb48=5e8.5bc;fb49=5e9.5bc;fb4a=5ea.5bc;fb4b=5d5.5b9;fb4c=5d1.5bf;fb4d=5db.5bf;fb4e=5e4.5bf;1109a=11099.110ba;1109c=1109b.110ba;110ab=110a5.110ba;1112e=11131.11127;1112f=11132.11127;1134b=11347.1133e;1134c=11347.11357;114bb=114b9.114ba;114bc=114b9.114b0;114be=114b9.114bd;115ba=115b8.115af;115bb=115b9.115af;1d15e=1d157.1d165;1d15f=1d158.1d165;1d160=1d158.1d165.1d16e;1d161=1d158.1d165.1d16f;1d162=1d158.1d165.1d170;1d163=1d158.1d165.1d171;1d164=1d158.1d165.1d172;1d1bb=1d1b9.1d165;1d1bc=1d1ba.1d165;1d1bd=1d1b9.1d165.1d16e;1d1be=1d1ba.1d165.1d16e;1d1bf=1d1b9.1d165.1d16f;1d1c0=1d1ba.1d165.1d16f;2f800=4e3d;2f801=4e38;2f802=4e41;2f803=20122;2f804=4f60;2f805=4fae;2f806=4fbb;2f807=5002;2f808=507a;2f809=5099;2f80a=50e7;2f80b=50cf;2f80c=349e;2f80d=2063a;2f80e=514d;2f80f=5154;2f810=5164;2f811=5177;2f812=2051c;2f813=34b9;2f814=5167;2f815=518d;2f816=2054b;2f817=5197;2f818=51a4;2f819=4ecc;2f81a=51ac;2f81b=51b5;2f81c=291df;2f81d=51f5;2f81e=5203;2f81f=34df;2f820=523b;2f821=5246;2f822=5272;2f823=5277;2f824=3515;2f825=52c7;2f826=52c9;2f827=52e4;2f828=52fa;2f829=5305;2f82a=5306;2f82b=5317;2f82c=5349;2f82d=5351;2f82e=535a;2f82f=5373;2f830=537d;2f831=537f;2f832=537f;2f833=537f;2f834=20a2c;2f835=7070;2f836=53ca;2f837=53df;2f838=20b63;2f839=53eb;2f83a=53f1;2f83b=5406;2f83c=549e;2f83d=5438;2f83e=5448;2f83f=5468;2f840=54a2;2f841=54f6;2f842=5510;2f843=5553;2f844=5563;2f845=5584;2f846=5584;2f847=5599;2f848=55ab;2f849=55b3;2f84a=55c2;2f84b=5716;2f84c=5606;2f84d=5717;2f84e=5651;2f84f=5674;2f850=5207;2f851=58ee;2f852=57ce;2f853=57f4;2f854=580d;2f855=578b;2f856=5832;2f857=5831;2f858=58ac;2f859=214e4;2f85a=58f2;2f85b=58f7;2f85c=5906;2f85d=591a;2f85e=5922;2f85f=5962;2f860=216a8;2f861=216ea;2f862=59ec;2f863=5a1b;2f864=5a27;2f865=59d8;2f866=5a66;2f867=36ee;2f868=36fc;2f869=5b08;2f86a=5b3e;2f86b=5b3e;2f86c=219c8;2f86d=5bc3;2f86e=5bd8;2f86f=5be7;2f870=5bf3;2f871=21b18;2f872=5bff;2f873=5c06;2f874=5f53;2f875=5c22;2f876=3781;2f877=5c60;2f878=5c6e;2f879=5cc0;2f87a=5c8d;2f87b=21de4;2f87c=5d43;2f87d=21de6;2f87e=5d6e;2f87f=5d6b;2f880=5d7c;2f881=5de1;2f882=5de2;2f883=382f;2f884=5dfd;2f885=5e28;2f886=5e3d;2f887=5e69;2f888=3862;2f889=22183;2f88a=387c;2f88b=5eb0;2f88c=5eb3;2f88d=5eb6;2f88e=5eca;2f88f=2a392;2f890=5efe;2f891=22331;2f892=22331;2f893=8201;2f894=5f22;2f895=5f22;2f896=38c7;2f897=232b8;2f898=261da;2f899=5f62;2f89a=5f6b;2f89b=38e3;2f89c=5f9a;2f89d=5fcd;2f89e=5fd7;2f89f=5ff9;2f8a0=6081;2f8a1=393a;2f8a2=391c;2f8a3=6094;2f8a4=226d4;2f8a5=60c7;2f8a6=6148;2f8a7=614c;2f8a8=614e;2f8a9=614c;2f8aa=617a;2f8ab=618e;2f8ac=61b2;2f8ad=61a4;2f8ae=61af;2f8af=61de;2f8b0=61f2;2f8b1=61f6;2f8b2=6210;2f8b3=621b;2f8b4=625d;2f8b5=62b1;2f8b6=62d4;2f8b7=6350;2f8b8=22b0c;2f8b9=633d;2f8ba=62fc;2f8bb=6368;2f8bc=6383;2f8bd=63e4;2f8be=22bf1;2f8bf=6422;2f8c0=63c5;2f8c1=63a9;2f8c2=3a2e;2f8c3=6469;2f8c4=647e;2f8c5=649d;2f8c6=6477;2f8c7=3a6c;2f8c8=654f;2f8c9=656c;2f8ca=2300a;2f8cb=65e3;2f8cc=66f8;2f8cd=6649;2f8ce=3b19;2f8cf=6691;2f8d0=3b08;2f8d1=3ae4;2f8d2=5192;2f8d3=5195;2f8d4=6700;2f8d5=669c;2f8d6=80ad;2f8d7=43d9;2f8d8=6717;2f8d9=671b;2f8da=6721;2f8db=675e;2f8dc=6753;2f8dd=233c3;2f8de=3b49;2f8df=67fa;2f8e0=6785;2f8e1=6852;2f8e2=6885;2f8e3=2346d;2f8e4=688e;2f8e5=681f;2f8e6=6914;2f8e7=3b9d;2f8e8=6942;2f8e9=69a3;2f8ea=69ea;2f8eb=6aa8;2f8ec=236a3;2f8ed=6adb;2f8ee=3c18;2f8ef=6b21;2f8f0=238a7;2f8f1=6b54;2f8f2=3c4e;2f8f3=6b72;2f8f4=6b9f;2f8f5=6bba;2f8f6=6bbb;2f8f7=23a8d;2f8f8=21d0b;2f8f9=23afa;2f8fa=6c4e;2f8fb=23cbc;2f8fc=6cbf;2f8fd=6ccd;2f8fe=6c67;2f8ff=6d16;2f900=6d3e;2f901=6d77;2f902=6d41;2f903=6d69;2f904=6d78;2f905=6d85;2f906=23d1e;2f907=6d34;2f908=6e2f;2f909=6e6e;2f90a=3d33;2f90b=6ecb;2f90c=6ec7;2f90d=23ed1;2f90e=6df9;2f90f=6f6e;2f910=23f5e;2f911=23f8e;2f912=6fc6;2f913=7039;2f914=701e;2f915=701b;2f916=3d96;2f917=704a;2f918=707d;2f919=7077;2f91a=70ad;2f91b=20525;2f91c=7145;2f91d=24263;2f91e=719c;2f91f=243ab;2f920=7228;2f921=7235;2f922=7250;2f923=24608;2f924=7280;2f925=7295;2f926=24735;2f927=24814;2f928=737a;2f929=738b;2f92a=3eac;2f92b=73a5;2f92c=3eb8;2f92d=3eb8;2f92e=7447;2f92f=745c;2f930=7471;2f931=7485;2f932=74ca;2f933=3f1b;2f934=7524;2f935=24c36;2f936=753e;2f937=24c92;2f938=7570;2f939=2219f;2f93a=7610;2f93b=24fa1;2f93c=24fb8;2f93d=25044;2f93e=3ffc;2f93f=4008;2f940=76f4;2f941=250f3;2f942=250f2;2f943=25119;2f944=25133;2f945=771e;2f946=771f;2f947=771f;2f948=774a;2f949=4039;2f94a=778b;2f94b=4046;2f94c=4096;2f94d=2541d;2f94e=784e;2f94f=788c;2f950=78cc;2f951=40e3;2f952=25626;2f953=7956;2f954=2569a;2f955=256c5;2f956=798f;2f957=79eb;2f958=412f;2f959=7a40;2f95a=7a4a;2f95b=7a4f;2f95c=2597c;2f95d=25aa7;2f95e=25aa7;2f95f=7aee;2f960=4202;2f961=25bab;2f962=7bc6;2f963=7bc9;2f964=4227;2f965=25c80;2f966=7cd2;2f967=42a0;2f968=7ce8;2f969=7ce3;2f96a=7d00;2f96b=25f86;2f96c=7d63;2f96d=4301;2f96e=7dc7;2f96f=7e02;2f970=7e45;2f971=4334;2f972=26228;2f973=26247;2f974=4359;2f975=262d9;2f976=7f7a;2f977=2633e;2f978=7f95;2f979=7ffa;2f97a=8005;2f97b=264da;2f97c=26523;2f97d=8060;2f97e=265a8;2f97f=8070;2f980=2335f;2f981=43d5;2f982=80b2;2f983=8103;2f984=440b;2f985=813e;2f986=5ab5;2f987=267a7;2f988=267b5;2f989=23393;2f98a=2339c;2f98b=8201;2f98c=8204;2f98d=8f9e;2f98e=446b;2f98f=8291;2f990=828b;2f991=829d;2f992=52b3;2f993=82b1;2f994=82b3;2f995=82bd;2f996=82e6;2f997=26b3c;2f998=82e5;2f999=831d;2f99a=8363;2f99b=83ad;2f99c=8323;2f99d=83bd;2f99e=83e7;2f99f=8457;2f9a0=8353;2f9a1=83ca;2f9a2=83cc;2f9a3=83dc;2f9a4=26c36;2f9a5=26d6b;2f9a6=26cd5;2f9a7=452b;2f9a8=84f1;2f9a9=84f3;2f9aa=8516;2f9ab=273ca;2f9ac=8564;2f9ad=26f2c;2f9ae=455d;2f9af=4561;2f9b0=26fb1;2f9b1=270d2;2f9b2=456b;2f9b3=8650;2f9b4=865c;2f9b5=8667;2f9b6=8669;2f9b7=86a9;2f9b8=8688;2f9b9=870e;2f9ba=86e2;2f9bb=8779;2f9bc=8728;2f9bd=876b;2f9be=8786;2f9bf=45d7;2f9c0=87e1;2f9c1=8801;2f9c2=45f9;2f9c3=8860;2f9c4=8863;2f9c5=27667;2f9c6=88d7;2f9c7=88de;2f9c8=4635;2f9c9=88fa;2f9ca=34bb;2f9cb=278ae;2f9cc=27966;2f9cd=46be;2f9ce=46c7;2f9cf=8aa0;2f9d0=8aed;2f9d1=8b8a;2f9d2=8c55;2f9d3=27ca8;2f9d4=8cab;2f9d5=8cc1;2f9d6=8d1b;2f9d7=8d77;2f9d8=27f2f;2f9d9=20804;2f9da=8dcb;2f9db=8dbc;2f9dc=8df0;2f9dd=208de;2f9de=8ed4;2f9df=8f38;2f9e0=285d2;2f9e1=285ed;2f9e2=9094;2f9e3=90f1;2f9e4=9111;2f9e5=2872e;2f9e6=911b;2f9e7=9238;2f9e8=92d7;2f9e9=92d8;2f9ea=927c;2f9eb=93f9;2f9ec=9415;2f9ed=28bfa;2f9ee=958b;2f9ef=4995;2f9f0=95b7;2f9f1=28d77;2f9f2=49e6;2f9f3=96c3;2f9f4=5db2;2f9f5=9723;2f9f6=29145;2f9f7=2921a;2f9f8=4a6e;2f9f9=4a76;2f9fa=97e0;2f9fb=2940a;2f9fc=4ab2;2f9fd=29496;2f9fe=980b;2f9ff=980b;2fa00=9829;2fa01=295b6;2fa02=98e2;2fa03=4b33;2fa04=9929;2fa05=99a7;2fa06=99c2;2fa07=99fe;2fa08=4bce;2fa09=29b30;2fa0a=9b12;2fa0b=9c40;2fa0c=9cfd;2fa0d=4cce;2fa0e=4ced;2fa0f=9d67;2fa10=2a0ce;2fa11=4cf8;2fa12=2a105;2fa13=2a20e;2fa14=2a291;2fa15=9ebb;2fa16=4d56;2fa17=9ef9;2fa18=9efe;2fa19=9f05;2fa1a=9f0f;2fa1b=9f16;2fa1c=9f3b;2fa1d=2a600"
    /** Canonical combining classes (start-end:class, hex) of the marks NFD reorders. */
    val COMBINING_CLASS: String = "300-314:e6,315-315:e8,316-319:dc,31a-31a:e8,31b-31b:d8,31c-320:dc,321-322:ca,323-326:dc,327-328:ca,329-333:dc,334-338:1,339-33c:dc,33d-33f:e6,342-342:e6,345-345:f0,346-346:e6,347-349:dc,34a-34c:e6,34d-34e:dc,350-352:e6,353-356:dc,357-357:e6,358-358:e8,359-35a:dc,35b-35b:e6,35c-35c:e9,35d-35e:ea,35f-35f:e9,360-361:ea,362-362:e9,363-36f:e6,483-487:e6,591-591:dc,592-595:e6,596-596:dc,597-599:e6,59a-59a:de,59b-59b:dc,59c-5a1:e6,5a2-5a7:dc,5a8-5a9:e6,5aa-5aa:dc,5ab-5ac:e6,5ad-5ad:de,5ae-5ae:e4,5af-5af:e6,5b0-5b0:a,5b1-5b1:b,5b2-5b2:c,5b3-5b3:d,5b4-5b4:e,5b5-5b5:f,5b6-5b6:10,5b7-5b7:11,5b8-5b8:12,5b9-5ba:13,5bb-5bb:14,5bc-5bc:15,5bd-5bd:16,5bf-5bf:17,5c1-5c1:18,5c2-5c2:19,5c4-5c4:e6,5c5-5c5:dc,5c7-5c7:12,610-617:e6,618-618:1e,619-619:1f,61a-61a:20,64b-64b:1b,64c-64c:1c,64d-64d:1d,64e-64e:1e,64f-64f:1f,650-650:20,651-651:21,652-652:22,653-654:e6,655-656:dc,657-65b:e6,65c-65c:dc,65d-65e:e6,65f-65f:dc,670-670:23,6d6-6dc:e6,6df-6e2:e6,6e3-6e3:dc,6e4-6e4:e6,6e7-6e8:e6,6ea-6ea:dc,6eb-6ec:e6,6ed-6ed:dc,711-711:24,730-730:e6,731-731:dc,732-733:e6,734-734:dc,735-736:e6,737-739:dc,73a-73a:e6,73b-73c:dc,73d-73d:e6,73e-73e:dc,73f-741:e6,742-742:dc,743-743:e6,744-744:dc,745-745:e6,746-746:dc,747-747:e6,748-748:dc,749-74a:e6,7eb-7f1:e6,7f2-7f2:dc,7f3-7f3:e6,816-819:e6,81b-823:e6,825-827:e6,829-82d:e6,859-85b:dc,8d4-8e1:e6,8e3-8e3:dc,8e4-8e5:e6,8e6-8e6:dc,8e7-8e8:e6,8e9-8e9:dc,8ea-8ec:e6,8ed-8ef:dc,8f0-8f0:1b,8f1-8f1:1c,8f2-8f2:1d,8f3-8f5:e6,8f6-8f6:dc,8f7-8f8:e6,8f9-8fa:dc,8fb-8ff:e6,93c-93c:7,94d-94d:9,951-951:e6,952-952:dc,953-954:e6,9bc-9bc:7,9cd-9cd:9,a3c-a3c:7,a4d-a4d:9,abc-abc:7,acd-acd:9,b3c-b3c:7,b4d-b4d:9,bcd-bcd:9,c4d-c4d:9,c55-c55:54,c56-c56:5b,cbc-cbc:7,ccd-ccd:9,d4d-d4d:9,dca-dca:9,e38-e39:67,e3a-e3a:9,e48-e4b:6b,eb8-eb9:76,ec8-ecb:7a,f18-f19:dc,f35-f35:dc,f37-f37:dc,f39-f39:d8,f71-f71:81,f72-f72:82,f74-f74:84,f7a-f7d:82,f80-f80:82,f82-f83:e6,f84-f84:9,f86-f87:e6,fc6-fc6:dc,1037-1037:7,1039-103a:9,108d-108d:dc,135d-135f:e6,1714-1714:9,1734-1734:9,17d2-17d2:9,17dd-17dd:e6,18a9-18a9:e4,1939-1939:de,193a-193a:e6,193b-193b:dc,1a17-1a17:e6,1a18-1a18:dc,1a60-1a60:9,1a75-1a7c:e6,1a7f-1a7f:dc,1ab0-1ab4:e6,1ab5-1aba:dc,1abb-1abc:e6,1abd-1abd:dc,1b34-1b34:7,1b44-1b44:9,1b6b-1b6b:e6,1b6c-1b6c:dc,1b6d-1b73:e6,1baa-1bab:9,1be6-1be6:7,1bf2-1bf3:9,1c37-1c37:7,1cd0-1cd2:e6,1cd4-1cd4:1,1cd5-1cd9:dc,1cda-1cdb:e6,1cdc-1cdf:dc,1ce0-1ce0:e6,1ce2-1ce8:1,1ced-1ced:dc,1cf4-1cf4:e6,1cf8-1cf9:e6,1dc0-1dc1:e6,1dc2-1dc2:dc,1dc3-1dc9:e6,1dca-1dca:dc,1dcb-1dcc:e6,1dcd-1dcd:ea,1dce-1dce:d6,1dcf-1dcf:dc,1dd0-1dd0:ca,1dd1-1df5:e6,1dfb-1dfb:e6,1dfc-1dfc:e9,1dfd-1dfd:dc,1dfe-1dfe:e6,1dff-1dff:dc,20d0-20d1:e6,20d2-20d3:1,20d4-20d7:e6,20d8-20da:1,20db-20dc:e6,20e1-20e1:e6,20e5-20e6:1,20e7-20e7:e6,20e8-20e8:dc,20e9-20e9:e6,20ea-20eb:1,20ec-20ef:dc,20f0-20f0:e6,2cef-2cf1:e6,2d7f-2d7f:9,2de0-2dff:e6,302a-302a:da,302b-302b:e4,302c-302c:e8,302d-302d:de,302e-302f:e0,3099-309a:8,a66f-a66f:e6,a674-a67d:e6,a69e-a69f:e6,a6f0-a6f1:e6,a806-a806:9,a8c4-a8c4:9,a8e0-a8f1:e6,a92b-a92d:dc,a953-a953:9,a9b3-a9b3:7,a9c0-a9c0:9,aab0-aab0:e6,aab2-aab3:e6,aab4-aab4:dc,aab7-aab8:e6,aabe-aabf:e6,aac1-aac1:e6,aaf6-aaf6:9,abed-abed:9,fb1e-fb1e:1a,fe20-fe26:e6,fe27-fe2d:dc,fe2e-fe2f:e6,101fd-101fd:dc,102e0-102e0:dc,10376-1037a:e6,10a0d-10a0d:dc,10a0f-10a0f:e6,10a38-10a38:e6,10a39-10a39:1,10a3a-10a3a:dc,10a3f-10a3f:9,10ae5-10ae5:e6,10ae6-10ae6:dc,11046-11046:9,1107f-1107f:9,110b9-110b9:9,110ba-110ba:7,11100-11102:e6,11133-11134:9,11173-11173:7,111c0-111c0:9,111ca-111ca:7,11235-11235:9,11236-11236:7,112e9-112e9:7,112ea-112ea:9,1133c-1133c:7,1134d-1134d:9,11366-1136c:e6,11370-11374:e6,11442-11442:9,11446-11446:7,114c2-114c2:9,114c3-114c3:7,115bf-115bf:9,115c0-115c0:7,1163f-1163f:9,116b6-116b6:9,116b7-116b7:7,1172b-1172b:9,11c3f-11c3f:9,16af0-16af4:1,16b30-16b36:e6,1bc9e-1bc9e:1,1d165-1d166:d8,1d167-1d169:1,1d16d-1d16d:e2,1d16e-1d172:d8,1d17b-1d182:dc,1d185-1d189:e6,1d18a-1d18b:dc,1d1aa-1d1ad:e6,1d242-1d244:e6,1e000-1e006:e6,1e008-1e018:e6,1e01b-1e021:e6,1e023-1e024:e6,1e026-1e02a:e6,1e8d0-1e8d6:dc,1e944-1e949:e6,1e94a-1e94a:7"
    /** strip_accents removes these after NFD (non-spacing marks). */
    val NONSPACING_MARK: String = "300-33f,342,345-36f,483-487,591-5bd,5bf,5c1-5c2,5c4-5c5,5c7,610-61a,64b-65f,670,6d6-6dc,6df-6e4,6e7-6e8,6ea-6ed,711,730-74a,7a6-7b0,7eb-7f3,816-819,81b-823,825-827,829-82d,859-85b,8e3-902,93a,93c,941-948,94d,951-957,962-963,981,9bc,9c1-9c4,9cd,9e2-9e3,a01-a02,a3c,a41-a42,a47-a48,a4b-a4d,a51,a70-a71,a75,a81-a82,abc,ac1-ac5,ac7-ac8,acd,ae2-ae3,b01,b3c,b3f,b41-b44,b4d,b56,b62-b63,b82,bc0,bcd,c00,c3e-c40,c46-c47,c4a-c4d,c55-c56,c62-c63,c81,cbc,cbf,cc6,ccc-ccd,ce2-ce3,d01,d41-d44,d4d,d62-d63,dca,dd2-dd4,dd6,e31,e34-e3a,e47-e4e,eb1,eb4-eb9,ebb-ebc,ec8-ecd,f18-f19,f35,f37,f39,f71-f72,f74,f77,f79-f7e,f80,f82-f84,f86-f87,f8d-f92,f94-f97,f99-f9c,f9e-fa1,fa3-fa6,fa8-fab,fad-fb8,fba-fbc,fc6,102d-1030,1032-1037,1039-103a,103d-103e,1058-1059,105e-1060,1071-1074,1082,1085-1086,108d,109d,135d-135f,1712-1714,1732-1734,1752-1753,1772-1773,17b4-17b5,17b7-17bd,17c6,17c9-17d3,17dd,180b-180d,18a9,1920-1922,1927-1928,1932,1939-193b,1a17-1a18,1a1b,1a56,1a58-1a5e,1a60,1a62,1a65-1a6c,1a73-1a7c,1a7f,1ab0-1abd,1b00-1b03,1b34,1b36-1b3a,1b3c,1b42,1b6b-1b73,1b80-1b81,1ba2-1ba5,1ba8-1ba9,1bab-1bad,1be6,1be8-1be9,1bed,1bef-1bf1,1c2c-1c33,1c36-1c37,1cd0-1cd2,1cd4-1ce0,1ce2-1ce8,1ced,1cf4,1cf8-1cf9,1dc0-1df5,1dfc-1dff,20d0-20dc,20e1,20e5-20f0,2cef-2cf1,2d7f,2de0-2dff,302a-302d,3099-309a,a66f,a674-a67d,a69e-a69f,a6f0-a6f1,a802,a806,a80b,a825-a826,a8c4,a8e0-a8f1,a926-a92d,a947-a951,a980-a982,a9b3,a9b6-a9b9,a9bc,a9e5,aa29-aa2e,aa31-aa32,aa35-aa36,aa43,aa4c,aa7c,aab0,aab2-aab4,aab7-aab8,aabe-aabf,aac1,aaec-aaed,aaf6,abe5,abe8,abed,fb1e,fe00-fe0f,fe20-fe2f,101fd,102e0,10376-1037a,10a01-10a03,10a05-10a06,10a0c-10a0f,10a38-10a3a,10a3f,10ae5-10ae6,11001,11038-11046,1107f-11081,110b3-110b6,110b9-110ba,11100-11102,11127-1112b,1112d,11130-11134,11173,11180-11181,111b6-111be,111ca-111cc,1122f-11231,11234,11236-11237,112df,112e3-112ea,11300-11301,1133c,11340,11366-1136c,11370-11374,114b3-114b8,114ba,114bf-114c0,114c2-114c3,115b2-115b5,115bc-115bd,115bf-115c0,115dc-115dd,11633-1163a,1163d,1163f-11640,116ab,116ad,116b0-116b5,116b7,1171d-1171f,11722-11725,11727-1172b,16af0-16af4,16b30-16b36,16f8f-16f92,1bc9d-1bc9e,1d167-1d169,1d17b-1d182,1d185-1d18b,1d1aa-1d1ad,1d242-1d244,1da00-1da36,1da3b-1da6c,1da75,1da84,1da9b-1da9f,1daa1-1daaf,1e8d0-1e8d6,e0100-e01ef"
    /** Per-character Rust char::to_lowercase where it changes the character. */
    val LOWERCASE: String = "41=61;42=62;43=63;44=64;45=65;46=66;47=67;48=68;49=69;4a=6a;4b=6b;4c=6c;4d=6d;4e=6e;4f=6f;50=70;51=71;52=72;53=73;54=74;55=75;56=76;57=77;58=78;59=79;5a=7a;c0=e0;c1=e1;c2=e2;c3=e3;c4=e4;c5=e5;c6=e6;c7=e7;c8=e8;c9=e9;ca=ea;cb=eb;cc=ec;cd=ed;ce=ee;cf=ef;d0=f0;d1=f1;d2=f2;d3=f3;d4=f4;d5=f5;d6=f6;d8=f8;d9=f9;da=fa;db=fb;dc=fc;dd=fd;de=fe;100=101;102=103;104=105;106=107;108=109;10a=10b;10c=10d;10e=10f;110=111;112=113;114=115;116=117;118=119;11a=11b;11c=11d;11e=11f;120=121;122=123;124=125;126=127;128=129;12a=12b;12c=12d;12e=12f;130=69.307;132=133;134=135;136=137;139=13a;13b=13c;13d=13e;13f=140;141=142;143=144;145=146;147=148;14a=14b;14c=14d;14e=14f;150=151;152=153;154=155;156=157;158=159;15a=15b;15c=15d;15e=15f;160=161;162=163;164=165;166=167;168=169;16a=16b;16c=16d;16e=16f;170=171;172=173;174=175;176=177;178=ff;179=17a;17b=17c;17d=17e;181=253;182=183;184=185;186=254;187=188;189=256;18a=257;18b=18c;18e=1dd;18f=259;190=25b;191=192;193=260;194=263;196=269;197=268;198=199;19c=26f;19d=272;19f=275;1a0=1a1;1a2=1a3;1a4=1a5;1a6=280;1a7=1a8;1a9=283;1ac=1ad;1ae=288;1af=1b0;1b1=28a;1b2=28b;1b3=1b4;1b5=1b6;1b7=292;1b8=1b9;1bc=1bd;1c4=1c6;1c5=1c6;1c7=1c9;1c8=1c9;1ca=1cc;1cb=1cc;1cd=1ce;1cf=1d0;1d1=1d2;1d3=1d4;1d5=1d6;1d7=1d8;1d9=1da;1db=1dc;1de=1df;1e0=1e1;1e2=1e3;1e4=1e5;1e6=1e7;1e8=1e9;1ea=1eb;1ec=1ed;1ee=1ef;1f1=1f3;1f2=1f3;1f4=1f5;1f6=195;1f7=1bf;1f8=1f9;1fa=1fb;1fc=1fd;1fe=1ff;200=201;202=203;204=205;206=207;208=209;20a=20b;20c=20d;20e=20f;210=211;212=213;214=215;216=217;218=219;21a=21b;21c=21d;21e=21f;220=19e;222=223;224=225;226=227;228=229;22a=22b;22c=22d;22e=22f;230=231;232=233;23a=2c65;23b=23c;23d=19a;23e=2c66;241=242;243=180;244=289;245=28c;246=247;248=249;24a=24b;24c=24d;24e=24f;370=371;372=373;376=377;37f=3f3;386=3ac;388=3ad;389=3ae;38a=3af;38c=3cc;38e=3cd;38f=3ce;391=3b1;392=3b2;393=3b3;394=3b4;395=3b5;396=3b6;397=3b7;398=3b8;399=3b9;39a=3ba;39b=3bb;39c=3bc;39d=3bd;39e=3be;39f=3bf;3a0=3c0;3a1=3c1;3a3=3c3;3a4=3c4;3a5=3c5;3a6=3c6;3a7=3c7;3a8=3c8;3a9=3c9;3aa=3ca;3ab=3cb;3cf=3d7;3d8=3d9;3da=3db;3dc=3dd;3de=3df;3e0=3e1;3e2=3e3;3e4=3e5;3e6=3e7;3e8=3e9;3ea=3eb;3ec=3ed;3ee=3ef;3f4=3b8;3f7=3f8;3f9=3f2;3fa=3fb;3fd=37b;3fe=37c;3ff=37d;400=450;401=451;402=452;403=453;404=454;405=455;406=456;407=457;408=458;409=459;40a=45a;40b=45b;40c=45c;40d=45d;40e=45e;40f=45f;410=430;411=431;412=432;413=433;414=434;415=435;416=436;417=437;418=438;419=439;41a=43a;41b=43b;41c=43c;41d=43d;41e=43e;41f=43f;420=440;421=441;422=442;423=443;424=444;425=445;426=446;427=447;428=448;429=449;42a=44a;42b=44b;42c=44c;42d=44d;42e=44e;42f=44f;460=461;462=463;464=465;466=467;468=469;46a=46b;46c=46d;46e=46f;470=471;472=473;474=475;476=477;478=479;47a=47b;47c=47d;47e=47f;480=481;48a=48b;48c=48d;48e=48f;490=491;492=493;494=495;496=497;498=499;49a=49b;49c=49d;49e=49f;4a0=4a1;4a2=4a3;4a4=4a5;4a6=4a7;4a8=4a9;4aa=4ab;4ac=4ad;4ae=4af;4b0=4b1;4b2=4b3;4b4=4b5;4b6=4b7;4b8=4b9;4ba=4bb;4bc=4bd;4be=4bf;4c0=4cf;4c1=4c2;4c3=4c4;4c5=4c6;4c7=4c8;4c9=4ca;4cb=4cc;4cd=4ce;4d0=4d1;4d2=4d3;4d4=4d5;4d6=4d7;4d8=4d9;4da=4db;4dc=4dd;4de=4df;4e0=4e1;4e2=4e3;4e4=4e5;4e6=4e7;4e8=4e9;4ea=4eb;4ec=4ed;4ee=4ef;4f0=4f1;4f2=4f3;4f4=4f5;4f6=4f7;4f8=4f9;4fa=4fb;4fc=4fd;4fe=4ff;500=501;502=503;504=505;506=507;508=509;50a=50b;50c=50d;50e=50f;510=511;512=513;514=515;516=517;518=519;51a=51b;51c=51d;51e=51f;520=521;522=523;524=525;526=527;528=529;52a=52b;52c=52d;52e=52f;531=561;532=562;533=563;534=564;535=565;536=566;537=567;538=568;539=569;53a=56a;53b=56b;53c=56c;53d=56d;53e=56e;53f=56f;540=570;541=571;542=572;543=573;544=574;545=575;546=576;547=577;548=578;549=579;54a=57a;54b=57b;54c=57c;54d=57d;54e=57e;54f=57f;550=580;551=581;552=582;553=583;554=584;555=585;556=586;10a0=2d00;10a1=2d01;10a2=2d02;10a3=2d03;10a4=2d04;10a5=2d05;10a6=2d06;10a7=2d07;10a8=2d08;10a9=2d09;10aa=2d0a;10ab=2d0b;10ac=2d0c;10ad=2d0d;10ae=2d0e;10af=2d0f;10b0=2d10;10b1=2d11;10b2=2d12;10b3=2d13;10b4=2d14;10b5=2d15;10b6=2d16;10b7=2d17;10b8=2d18;10b9=2d19;10ba=2d1a;10bb=2d1b;10bc=2d1c;10bd=2d1d;10be=2d1e;10bf=2d1f;10c0=2d20;10c1=2d21;10c2=2d22;10c3=2d23;10c4=2d24;10c5=2d25;10c7=2d27;10cd=2d2d;13a0=ab70;13a1=ab71;13a2=ab72;13a3=ab73;13a4=ab74;13a5=ab75;13a6=ab76;13a7=ab77;13a8=ab78;13a9=ab79;13aa=ab7a;13ab=ab7b;13ac=ab7c;13ad=ab7d;13ae=ab7e;13af=ab7f;13b0=ab80;13b1=ab81;13b2=ab82;13b3=ab83;13b4=ab84;13b5=ab85;13b6=ab86;13b7=ab87;13b8=ab88;13b9=ab89;13ba=ab8a;13bb=ab8b;13bc=ab8c;13bd=ab8d;13be=ab8e;13bf=ab8f;13c0=ab90;13c1=ab91;13c2=ab92;13c3=ab93;13c4=ab94;13c5=ab95;13c6=ab96;13c7=ab97;13c8=ab98;13c9=ab99;13ca=ab9a;13cb=ab9b;13cc=ab9c;13cd=ab9d;13ce=ab9e;13cf=ab9f;13d0=aba0;13d1=aba1;13d2=aba2;13d3=aba3;13d4=aba4;13d5=aba5;13d6=aba6;13d7=aba7;13d8=aba8;13d9=aba9;13da=abaa;13db=abab;13dc=abac;13dd=abad;13de=abae;13df=abaf;13e0=abb0;13e1=abb1;13e2=abb2;13e3=abb3;13e4=abb4;13e5=abb5;13e6=abb6;13e7=abb7;13e8=abb8;13e9=abb9;13ea=abba;13eb=abbb;13ec=abbc;13ed=abbd;13ee=abbe;13ef=abbf;13f0=13f8;13f1=13f9;13f2=13fa;13f3=13fb;13f4=13fc;13f5=13fd;1c89=1c8a;1c90=10d0;1c91=10d1;1c92=10d2;1c93=10d3;1c94=10d4;1c95=10d5;1c96=10d6;1c97=10d7;1c98=10d8;1c99=10d9;1c9a=10da;1c9b=10db;1c9c=10dc;1c9d=10dd;1c9e=10de;1c9f=10df;1ca0=10e0;1ca1=10e1;1ca2=10e2;1ca3=10e3;1ca4=10e4;1ca5=10e5;1ca6=10e6;1ca7=10e7;1ca8=10e8;1ca9=10e9;1caa=10ea;1cab=10eb;1cac=10ec;1cad=10ed;1cae=10ee;1caf=10ef;1cb0=10f0;1cb1=10f1;1cb2=10f2;1cb3=10f3;1cb4=10f4;1cb5=10f5;1cb6=10f6;1cb7=10f7;1cb8=10f8;1cb9=10f9;1cba=10fa;1cbd=10fd;1cbe=10fe;1cbf=10ff;1e00=1e01;1e02=1e03;1e04=1e05;1e06=1e07;1e08=1e09;1e0a=1e0b;1e0c=1e0d;1e0e=1e0f;1e10=1e11;1e12=1e13;1e14=1e15;1e16=1e17;1e18=1e19;1e1a=1e1b;1e1c=1e1d;1e1e=1e1f;1e20=1e21;1e22=1e23;1e24=1e25;1e26=1e27;1e28=1e29;1e2a=1e2b;1e2c=1e2d;1e2e=1e2f;1e30=1e31;1e32=1e33;1e34=1e35;1e36=1e37;1e38=1e39;1e3a=1e3b;1e3c=1e3d;1e3e=1e3f;1e40=1e41;1e42=1e43;1e44=1e45;1e46=1e47;1e48=1e49;1e4a=1e4b;1e4c=1e4d;1e4e=1e4f;1e50=1e51;1e52=1e53;1e54=1e55;1e56=1e57;1e58=1e59;1e5a=1e5b;1e5c=1e5d;1e5e=1e5f;1e60=1e61;1e62=1e63;1e64=1e65;1e66=1e67;1e68=1e69;1e6a=1e6b;1e6c=1e6d;1e6e=1e6f;1e70=1e71;1e72=1e73;1e74=1e75;1e76=1e77;1e78=1e79;1e7a=1e7b;1e7c=1e7d;1e7e=1e7f;1e80=1e81;1e82=1e83;1e84=1e85;1e86=1e87;1e88=1e89;1e8a=1e8b;1e8c=1e8d;1e8e=1e8f;1e90=1e91;1e92=1e93;1e94=1e95;1e9e=df;1ea0=1ea1;1ea2=1ea3;1ea4=1ea5;1ea6=1ea7;1ea8=1ea9;1eaa=1eab;1eac=1ead;1eae=1eaf;1eb0=1eb1;1eb2=1eb3;1eb4=1eb5;1eb6=1eb7;1eb8=1eb9;1eba=1ebb;1ebc=1ebd;1ebe=1ebf;1ec0=1ec1;1ec2=1ec3;1ec4=1ec5;1ec6=1ec7;1ec8=1ec9;1eca=1ecb;1ecc=1ecd;1ece=1ecf;1ed0=1ed1;1ed2=1ed3;1ed4=1ed5;1ed6=1ed7;1ed8=1ed9;1eda=1edb;1edc=1edd;1ede=1edf;1ee0=1ee1;1ee2=1ee3;1ee4=1ee5;1ee6=1ee7;1ee8=1ee9;1eea=1eeb;1eec=1eed;1eee=1eef;1ef0=1ef1;1ef2=1ef3;1ef4=1ef5;1ef6=1ef7;1ef8=1ef9;1efa=1efb;1efc=1efd;1efe=1eff;1f08=1f00;1f09=1f01;1f0a=1f02;1f0b=1f03;1f0c=1f04;1f0d=1f05;1f0e=1f06;1f0f=1f07;1f18=1f10;1f19=1f11;1f1a=1f12;1f1b=1f13;1f1c=1f14;1f1d=1f15;1f28=1f20;1f29=1f21;1f2a=1f22;1f2b=1f23;1f2c=1f24;1f2d=1f25;1f2e=1f26;1f2f=1f27;1f38=1f30;1f39=1f31;1f3a=1f32;1f3b=1f33;1f3c=1f34;1f3d=1f35;1f3e=1f36;1f3f=1f37;1f48=1f40;1f49=1f41;1f4a=1f42;1f4b=1f43;1f4c=1f44;1f4d=1f45;1f59=1f51;1f5b=1f53;1f5d=1f55;1f5f=1f57;1f68=1f60;1f69=1f61;1f6a=1f62;1f6b=1f63;1f6c=1f64;1f6d=1f65;1f6e=1f66;1f6f=1f67;1f88=1f80;1f89=1f81;1f8a=1f82;1f8b=1f83;1f8c=1f84;1f8d=1f85;1f8e=1f86;1f8f=1f87;1f98=1f90;1f99=1f91;1f9a=1f92;1f9b=1f93;1f9c=1f94;1f9d=1f95;1f9e=1f96;1f9f=1f97;1fa8=1fa0;1fa9=1fa1;1faa=1fa2;1fab=1fa3;1fac=1fa4;1fad=1fa5;1fae=1fa6;1faf=1fa7;1fb8=1fb0;1fb9=1fb1;1fba=1f70;1fbb=1f71;1fbc=1fb3;1fc8=1f72;1fc9=1f73;1fca=1f74;1fcb=1f75;1fcc=1fc3;1fd8=1fd0;1fd9=1fd1;1fda=1f76;1fdb=1f77;1fe8=1fe0;1fe9=1fe1;1fea=1f7a;1feb=1f7b;1fec=1fe5;1ff8=1f78;1ff9=1f79;1ffa=1f7c;1ffb=1f7d;1ffc=1ff3;2126=3c9;212a=6b;212b=e5;2132=214e;2160=2170;2161=2171;2162=2172;2163=2173;2164=2174;2165=2175;2166=2176;2167=2177;2168=2178;2169=2179;216a=217a;216b=217b;216c=217c;216d=217d;216e=217e;216f=217f;2183=2184;24b6=24d0;24b7=24d1;24b8=24d2;24b9=24d3;24ba=24d4;24bb=24d5;24bc=24d6;24bd=24d7;24be=24d8;24bf=24d9;24c0=24da;24c1=24db;24c2=24dc;24c3=24dd;24c4=24de;24c5=24df;24c6=24e0;24c7=24e1;24c8=24e2;24c9=24e3;24ca=24e4;24cb=24e5;24cc=24e6;24cd=24e7;24ce=24e8;24cf=24e9;2c00=2c30;2c01=2c31;2c02=2c32;2c03=2c33;2c04=2c34;2c05=2c35;2c06=2c36;2c07=2c37;2c08=2c38;2c09=2c39;2c0a=2c3a;2c0b=2c3b;2c0c=2c3c;2c0d=2c3d;2c0e=2c3e;2c0f=2c3f;2c10=2c40;2c11=2c41;2c12=2c42;2c13=2c43;2c14=2c44;2c15=2c45;2c16=2c46;2c17=2c47;2c18=2c48;2c19=2c49;2c1a=2c4a;2c1b=2c4b;2c1c=2c4c;2c1d=2c4d;2c1e=2c4e;2c1f=2c4f;2c20=2c50;2c21=2c51;2c22=2c52;2c23=2c53;2c24=2c54;2c25=2c55;2c26=2c56;2c27=2c57;2c28=2c58;2c29=2c59;2c2a=2c5a;2c2b=2c5b;2c2c=2c5c;2c2d=2c5d;2c2e=2c5e;2c2f=2c5f;2c60=2c61;2c62=26b;2c63=1d7d;2c64=27d;2c67=2c68;2c69=2c6a;2c6b=2c6c;2c6d=251;2c6e=271;2c6f=250;2c70=252;2c72=2c73;2c75=2c76;2c7e=23f;2c7f=240;2c80=2c81;2c82=2c83;2c84=2c85;2c86=2c87;2c88=2c89;2c8a=2c8b;2c8c=2c8d;2c8e=2c8f;2c90=2c91;2c92=2c93;2c94=2c95;2c96=2c97;2c98=2c99;2c9a=2c9b;2c9c=2c9d;2c9e=2c9f;2ca0=2ca1;2ca2=2ca3;2ca4=2ca5;2ca6=2ca7;2ca8=2ca9;2caa=2cab;2cac=2cad;2cae=2caf;2cb0=2cb1;2cb2=2cb3;2cb4=2cb5;2cb6=2cb7;2cb8=2cb9;2cba=2cbb;2cbc=2cbd;2cbe=2cbf;2cc0=2cc1;2cc2=2cc3;2cc4=2cc5;2cc6=2cc7;2cc8=2cc9;2cca=2ccb;2ccc=2ccd;2cce=2ccf;2cd0=2cd1;2cd2=2cd3;2cd4=2cd5;2cd6=2cd7;2cd8=2cd9;2cda=2cdb;2cdc=2cdd;2cde=2cdf;2ce0=2ce1;2ce2=2ce3;2ceb=2cec;2ced=2cee;2cf2=2cf3;a640=a641;a642=a643;a644=a645;a646=a647;a648=a649;a64a=a64b;a64c=a64d;a64e=a64f;a650=a651;a652=a653;a654=a655;a656=a657;a658=a659;a65a=a65b;a65c=a65d;a65e=a65f;a660=a661;a662=a663;a664=a665;a666=a667;a668=a669;a66a=a66b;a66c=a66d;a680=a681;a682=a683;a684=a685;a686=a687;a688=a689;a68a=a68b;a68c=a68d;a68e=a68f;a690=a691;a692=a693;a694=a695;a696=a697;a698=a699;a69a=a69b;a722=a723;a724=a725;a726=a727;a728=a729;a72a=a72b;a72c=a72d;a72e=a72f;a732=a733;a734=a735;a736=a737;a738=a739;a73a=a73b;a73c=a73d;a73e=a73f;a740=a741;a742=a743;a744=a745;a746=a747;a748=a749;a74a=a74b;a74c=a74d;a74e=a74f;a750=a751;a752=a753;a754=a755;a756=a757;a758=a759;a75a=a75b;a75c=a75d;a75e=a75f;a760=a761;a762=a763;a764=a765;a766=a767;a768=a769;a76a=a76b;a76c=a76d;a76e=a76f;a779=a77a;a77b=a77c;a77d=1d79;a77e=a77f;a780=a781;a782=a783;a784=a785;a786=a787;a78b=a78c;a78d=265;a790=a791;a792=a793;a796=a797;a798=a799;a79a=a79b;a79c=a79d;a79e=a79f;a7a0=a7a1;a7a2=a7a3;a7a4=a7a5;a7a6=a7a7;a7a8=a7a9;a7aa=266;a7ab=25c;a7ac=261;a7ad=26c;a7ae=26a;a7b0=29e;a7b1=287;a7b2=29d;a7b3=ab53;a7b4=a7b5;a7b6=a7b7;a7b8=a7b9;a7ba=a7bb;a7bc=a7bd;a7be=a7bf;a7c0=a7c1;a7c2=a7c3;a7c4=a794;a7c5=282;a7c6=1d8e;a7c7=a7c8;a7c9=a7ca;a7cb=264;a7cc=a7cd;a7ce=a7cf;a7d0=a7d1;a7d2=a7d3;a7d4=a7d5;a7d6=a7d7;a7d8=a7d9;a7da=a7db;a7dc=19b;a7f5=a7f6;ff21=ff41;ff22=ff42;ff23=ff43;ff24=ff44;ff25=ff45;ff26=ff46;ff27=ff47;ff28=ff48;ff29=ff49;ff2a=ff4a;ff2b=ff4b;ff2c=ff4c;ff2d=ff4d;ff2e=ff4e;ff2f=ff4f;ff30=ff50;ff31=ff51;ff32=ff52;ff33=ff53;ff34=ff54;ff35=ff55;ff36=ff56;ff37=ff57;ff38=ff58;ff39=ff59;ff3a=ff5a;10400=10428;10401=10429;10402=1042a;10403=1042b;10404=1042c;10405=1042d;10406=1042e;10407=1042f;10408=10430;10409=10431;1040a=10432;1040b=10433;1040c=10434;1040d=10435;1040e=10436;1040f=10437;10410=10438;10411=10439;10412=1043a;10413=1043b;10414=1043c;10415=1043d;10416=1043e;10417=1043f;10418=10440;10419=10441;1041a=10442;1041b=10443;1041c=10444;1041d=10445;1041e=10446;1041f=10447;10420=10448;10421=10449;10422=1044a;10423=1044b;10424=1044c;10425=1044d;10426=1044e;10427=1044f;104b0=104d8;104b1=104d9;104b2=104da;104b3=104db;104b4=104dc;104b5=104dd;104b6=104de;104b7=104df;104b8=104e0;104b9=104e1;104ba=104e2;104bb=104e3;104bc=104e4;104bd=104e5;104be=104e6;104bf=104e7;104c0=104e8;104c1=104e9;104c2=104ea;104c3=104eb;104c4=104ec;104c5=104ed;104c6=104ee;104c7=104ef;104c8=104f0;104c9=104f1;104ca=104f2;104cb=104f3;104cc=104f4;104cd=104f5;104ce=104f6;104cf=104f7;104d0=104f8;104d1=104f9;104d2=104fa;104d3=104fb;10570=10597;10571=10598;10572=10599;10573=1059a;10574=1059b;10575=1059c;10576=1059d;10577=1059e;10578=1059f;10579=105a0;1057a=105a1;1057c=105a3;1057d=105a4;1057e=105a5;1057f=105a6;10580=105a7;10581=105a8;10582=105a9;10583=105aa;10584=105ab;10585=105ac;10586=105ad;10587=105ae;10588=105af;10589=105b0;1058a=105b1;1058c=105b3;1058d=105b4;1058e=105b5;1058f=105b6;10590=105b7;10591=105b8;10592=105b9;10594=105bb;10595=105bc;10c80=10cc0;10c81=10cc1;10c82=10cc2;10c83=10cc3;10c84=10cc4;10c85=10cc5;10c86=10cc6;10c87=10cc7;10c88=10cc8;10c89=10cc9;10c8a=10cca;10c8b=10ccb;10c8c=10ccc;10c8d=10ccd;10c8e=10cce;10c8f=10ccf;10c90=10cd0;10c91=10cd1;10c92=10cd2;10c93=10cd3;10c94=10cd4;10c95=10cd5;10c96=10cd6;10c97=10cd7;10c98=10cd8;10c99=10cd9;10c9a=10cda;10c9b=10cdb;10c9c=10cdc;10c9d=10cdd;10c9e=10cde;10c9f=10cdf;10ca0=10ce0;10ca1=10ce1;10ca2=10ce2;10ca3=10ce3;10ca4=10ce4;10ca5=10ce5;10ca6=10ce6;10ca7=10ce7;10ca8=10ce8;10ca9=10ce9;10caa=10cea;10cab=10ceb;10cac=10cec;10cad=10ced;10cae=10cee;10caf=10cef;10cb0=10cf0;10cb1=10cf1;10cb2=10cf2;10d50=10d70;10d51=10d71;10d52=10d72;10d53=10d73;10d54=10d74;10d55=10d75;10d56=10d76;10d57=10d77;10d58=10d78;10d59=10d79;10d5a=10d7a;10d5b=10d7b;10d5c=10d7c;10d5d=10d7d;10d5e=10d7e;10d5f=10d7f;10d60=10d80;10d61=10d81;10d62=10d82;10d63=10d83;10d64=10d84;10d65=10d85;118a0=118c0;118a1=118c1;118a2=118c2;118a3=118c3;118a4=118c4;118a5=118c5;118a6=118c6;118a7=118c7;118a8=118c8;118a9=118c9;118aa=118ca;118ab=118cb;118ac=118cc;118ad=118cd;118ae=118ce;118af=118cf;118b0=118d0;118b1=118d1;118b2=118d2;118b3=118d3;118b4=118d4;118b5=118d5;118b6=118d6;118b7=118d7;118b8=118d8;118b9=118d9;118ba=118da;118bb=118db;118bc=118dc;118bd=118dd;118be=118de;118bf=118df;16e40=16e60;16e41=16e61;16e42=16e62;16e43=16e63;16e44=16e64;16e45=16e65;16e46=16e66;16e47=16e67;16e48=16e68;16e49=16e69;16e4a=16e6a;16e4b=16e6b;16e4c=16e6c;16e4d=16e6d;16e4e=16e6e;16e4f=16e6f;16e50=16e70;16e51=16e71;16e52=16e72;16e53=16e73;16e54=16e74;16e55=16e75;16e56=16e76;16e57=16e77;16e58=16e78;16e59=16e79;16e5a=16e7a;16e5b=16e7b;16e5c=16e7c;16e5d=16e7d;16e5e=16e7e;16e5f=16e7f;16ea0=16ebb;16ea1=16ebc;16ea2=16ebd;16ea3=16ebe;16ea4=16ebf;16ea5=16ec0;16ea6=16ec1;16ea7=16ec2;16ea8=16ec3;16ea9=16ec4;16eaa=16ec5;16eab=16ec6;16eac=16ec7;16ead=16ec8;16eae=16ec9;16eaf=16eca;16eb0=16ecb;16eb1=16ecc;16eb2=16ecd;16eb3=16ece;16eb4=16ecf;16eb5=16ed0;16eb6=16ed1;16eb7=16ed2;16eb8=16ed3;1e900=1e922;1e901=1e923;1e902=1e924;1e903=1e925;1e904=1e926;1e905=1e927;1e906=1e928;1e907=1e929;1e908=1e92a;1e909=1e92b;1e90a=1e92c;1e90b=1e92d;1e90c=1e92e;1e90d=1e92f;1e90e=1e930;1e90f=1e931;1e910=1e932;1e911=1e933;1e912=1e934;1e913=1e935;1e914=1e936;1e915=1e937;1e916=1e938;1e917=1e939;1e918=1e93a;1e919=1e93b;1e91a=1e93c;1e91b=1e93d;1e91c=1e93e;1e91d=1e93f;1e91e=1e940;1e91f=1e941;1e920=1e942;1e921=1e943"
    /** ByteLevel split regex `\p{L}` (Oniguruma). */
    val REGEX_LETTER: String = "41-5a,61-7a,aa,b5,ba,c0-d6,d8-f6,f8-2c1,2c6-2d1,2e0-2e4,2ec,2ee,370-374,376-377,37a-37d,37f,386,388-38a,38c,38e-3a1,3a3-3f5,3f7-481,48a-52f,531-556,559,560-588,5d0-5ea,5ef-5f2,620-64a,66e-66f,671-6d3,6d5,6e5-6e6,6ee-6ef,6fa-6fc,6ff,710,712-72f,74d-7a5,7b1,7ca-7ea,7f4-7f5,7fa,800-815,81a,824,828,840-858,860-86a,870-887,889-88e,8a0-8c9,904-939,93d,950,958-961,971-980,985-98c,98f-990,993-9a8,9aa-9b0,9b2,9b6-9b9,9bd,9ce,9dc-9dd,9df-9e1,9f0-9f1,9fc,a05-a0a,a0f-a10,a13-a28,a2a-a30,a32-a33,a35-a36,a38-a39,a59-a5c,a5e,a72-a74,a85-a8d,a8f-a91,a93-aa8,aaa-ab0,ab2-ab3,ab5-ab9,abd,ad0,ae0-ae1,af9,b05-b0c,b0f-b10,b13-b28,b2a-b30,b32-b33,b35-b39,b3d,b5c-b5d,b5f-b61,b71,b83,b85-b8a,b8e-b90,b92-b95,b99-b9a,b9c,b9e-b9f,ba3-ba4,ba8-baa,bae-bb9,bd0,c05-c0c,c0e-c10,c12-c28,c2a-c39,c3d,c58-c5a,c5d,c60-c61,c80,c85-c8c,c8e-c90,c92-ca8,caa-cb3,cb5-cb9,cbd,cdd-cde,ce0-ce1,cf1-cf2,d04-d0c,d0e-d10,d12-d3a,d3d,d4e,d54-d56,d5f-d61,d7a-d7f,d85-d96,d9a-db1,db3-dbb,dbd,dc0-dc6,e01-e30,e32-e33,e40-e46,e81-e82,e84,e86-e8a,e8c-ea3,ea5,ea7-eb0,eb2-eb3,ebd,ec0-ec4,ec6,edc-edf,f00,f40-f47,f49-f6c,f88-f8c,1000-102a,103f,1050-1055,105a-105d,1061,1065-1066,106e-1070,1075-1081,108e,10a0-10c5,10c7,10cd,10d0-10fa,10fc-1248,124a-124d,1250-1256,1258,125a-125d,1260-1288,128a-128d,1290-12b0,12b2-12b5,12b8-12be,12c0,12c2-12c5,12c8-12d6,12d8-1310,1312-1315,1318-135a,1380-138f,13a0-13f5,13f8-13fd,1401-166c,166f-167f,1681-169a,16a0-16ea,16f1-16f8,1700-1711,171f-1731,1740-1751,1760-176c,176e-1770,1780-17b3,17d7,17dc,1820-1878,1880-1884,1887-18a8,18aa,18b0-18f5,1900-191e,1950-196d,1970-1974,1980-19ab,19b0-19c9,1a00-1a16,1a20-1a54,1aa7,1b05-1b33,1b45-1b4c,1b83-1ba0,1bae-1baf,1bba-1be5,1c00-1c23,1c4d-1c4f,1c5a-1c7d,1c80-1c8a,1c90-1cba,1cbd-1cbf,1ce9-1cec,1cee-1cf3,1cf5-1cf6,1cfa,1d00-1dbf,1e00-1f15,1f18-1f1d,1f20-1f45,1f48-1f4d,1f50-1f57,1f59,1f5b,1f5d,1f5f-1f7d,1f80-1fb4,1fb6-1fbc,1fbe,1fc2-1fc4,1fc6-1fcc,1fd0-1fd3,1fd6-1fdb,1fe0-1fec,1ff2-1ff4,1ff6-1ffc,2071,207f,2090-209c,2102,2107,210a-2113,2115,2119-211d,2124,2126,2128,212a-212d,212f-2139,213c-213f,2145-2149,214e,2183-2184,2c00-2ce4,2ceb-2cee,2cf2-2cf3,2d00-2d25,2d27,2d2d,2d30-2d67,2d6f,2d80-2d96,2da0-2da6,2da8-2dae,2db0-2db6,2db8-2dbe,2dc0-2dc6,2dc8-2dce,2dd0-2dd6,2dd8-2dde,2e2f,3005-3006,3031-3035,303b-303c,3041-3096,309d-309f,30a1-30fa,30fc-30ff,3105-312f,3131-318e,31a0-31bf,31f0-31ff,3400-4dbf,4e00-a48c,a4d0-a4fd,a500-a60c,a610-a61f,a62a-a62b,a640-a66e,a67f-a69d,a6a0-a6e5,a717-a71f,a722-a788,a78b-a7cd,a7d0-a7d1,a7d3,a7d5-a7dc,a7f2-a801,a803-a805,a807-a80a,a80c-a822,a840-a873,a882-a8b3,a8f2-a8f7,a8fb,a8fd-a8fe,a90a-a925,a930-a946,a960-a97c,a984-a9b2,a9cf,a9e0-a9e4,a9e6-a9ef,a9fa-a9fe,aa00-aa28,aa40-aa42,aa44-aa4b,aa60-aa76,aa7a,aa7e-aaaf,aab1,aab5-aab6,aab9-aabd,aac0,aac2,aadb-aadd,aae0-aaea,aaf2-aaf4,ab01-ab06,ab09-ab0e,ab11-ab16,ab20-ab26,ab28-ab2e,ab30-ab5a,ab5c-ab69,ab70-abe2,ac00-d7a3,d7b0-d7c6,d7cb-d7fb,f900-fa6d,fa70-fad9,fb00-fb06,fb13-fb17,fb1d,fb1f-fb28,fb2a-fb36,fb38-fb3c,fb3e,fb40-fb41,fb43-fb44,fb46-fbb1,fbd3-fd3d,fd50-fd8f,fd92-fdc7,fdf0-fdfb,fe70-fe74,fe76-fefc,ff21-ff3a,ff41-ff5a,ff66-ffbe,ffc2-ffc7,ffca-ffcf,ffd2-ffd7,ffda-ffdc,10000-1000b,1000d-10026,10028-1003a,1003c-1003d,1003f-1004d,10050-1005d,10080-100fa,10280-1029c,102a0-102d0,10300-1031f,1032d-10340,10342-10349,10350-10375,10380-1039d,103a0-103c3,103c8-103cf,10400-1049d,104b0-104d3,104d8-104fb,10500-10527,10530-10563,10570-1057a,1057c-1058a,1058c-10592,10594-10595,10597-105a1,105a3-105b1,105b3-105b9,105bb-105bc,105c0-105f3,10600-10736,10740-10755,10760-10767,10780-10785,10787-107b0,107b2-107ba,10800-10805,10808,1080a-10835,10837-10838,1083c,1083f-10855,10860-10876,10880-1089e,108e0-108f2,108f4-108f5,10900-10915,10920-10939,10980-109b7,109be-109bf,10a00,10a10-10a13,10a15-10a17,10a19-10a35,10a60-10a7c,10a80-10a9c,10ac0-10ac7,10ac9-10ae4,10b00-10b35,10b40-10b55,10b60-10b72,10b80-10b91,10c00-10c48,10c80-10cb2,10cc0-10cf2,10d00-10d23,10d4a-10d65,10d6f-10d85,10e80-10ea9,10eb0-10eb1,10ec2-10ec4,10f00-10f1c,10f27,10f30-10f45,10f70-10f81,10fb0-10fc4,10fe0-10ff6,11003-11037,11071-11072,11075,11083-110af,110d0-110e8,11103-11126,11144,11147,11150-11172,11176,11183-111b2,111c1-111c4,111da,111dc,11200-11211,11213-1122b,1123f-11240,11280-11286,11288,1128a-1128d,1128f-1129d,1129f-112a8,112b0-112de,11305-1130c,1130f-11310,11313-11328,1132a-11330,11332-11333,11335-11339,1133d,11350,1135d-11361,11380-11389,1138b,1138e,11390-113b5,113b7,113d1,113d3,11400-11434,11447-1144a,1145f-11461,11480-114af,114c4-114c5,114c7,11580-115ae,115d8-115db,11600-1162f,11644,11680-116aa,116b8,11700-1171a,11740-11746,11800-1182b,118a0-118df,118ff-11906,11909,1190c-11913,11915-11916,11918-1192f,1193f,11941,119a0-119a7,119aa-119d0,119e1,119e3,11a00,11a0b-11a32,11a3a,11a50,11a5c-11a89,11a9d,11ab0-11af8,11bc0-11be0,11c00-11c08,11c0a-11c2e,11c40,11c72-11c8f,11d00-11d06,11d08-11d09,11d0b-11d30,11d46,11d60-11d65,11d67-11d68,11d6a-11d89,11d98,11ee0-11ef2,11f02,11f04-11f10,11f12-11f33,11fb0,12000-12399,12480-12543,12f90-12ff0,13000-1342f,13441-13446,13460-143fa,14400-14646,16100-1611d,16800-16a38,16a40-16a5e,16a70-16abe,16ad0-16aed,16b00-16b2f,16b40-16b43,16b63-16b77,16b7d-16b8f,16d40-16d6c,16e40-16e7f,16f00-16f4a,16f50,16f93-16f9f,16fe0-16fe1,16fe3,17000-187f7,18800-18cd5,18cff-18d08,1aff0-1aff3,1aff5-1affb,1affd-1affe,1b000-1b122,1b132,1b150-1b152,1b155,1b164-1b167,1b170-1b2fb,1bc00-1bc6a,1bc70-1bc7c,1bc80-1bc88,1bc90-1bc99,1d400-1d454,1d456-1d49c,1d49e-1d49f,1d4a2,1d4a5-1d4a6,1d4a9-1d4ac,1d4ae-1d4b9,1d4bb,1d4bd-1d4c3,1d4c5-1d505,1d507-1d50a,1d50d-1d514,1d516-1d51c,1d51e-1d539,1d53b-1d53e,1d540-1d544,1d546,1d54a-1d550,1d552-1d6a5,1d6a8-1d6c0,1d6c2-1d6da,1d6dc-1d6fa,1d6fc-1d714,1d716-1d734,1d736-1d74e,1d750-1d76e,1d770-1d788,1d78a-1d7a8,1d7aa-1d7c2,1d7c4-1d7cb,1df00-1df1e,1df25-1df2a,1e030-1e06d,1e100-1e12c,1e137-1e13d,1e14e,1e290-1e2ad,1e2c0-1e2eb,1e4d0-1e4eb,1e5d0-1e5ed,1e5f0,1e7e0-1e7e6,1e7e8-1e7eb,1e7ed-1e7ee,1e7f0-1e7fe,1e800-1e8c4,1e900-1e943,1e94b,1ee00-1ee03,1ee05-1ee1f,1ee21-1ee22,1ee24,1ee27,1ee29-1ee32,1ee34-1ee37,1ee39,1ee3b,1ee42,1ee47,1ee49,1ee4b,1ee4d-1ee4f,1ee51-1ee52,1ee54,1ee57,1ee59,1ee5b,1ee5d,1ee5f,1ee61-1ee62,1ee64,1ee67-1ee6a,1ee6c-1ee72,1ee74-1ee77,1ee79-1ee7c,1ee7e,1ee80-1ee89,1ee8b-1ee9b,1eea1-1eea3,1eea5-1eea9,1eeab-1eebb,20000-2a6df,2a700-2b739,2b740-2b81d,2b820-2cea1,2ceb0-2ebe0,2ebf0-2ee5d,2f800-2fa1d,30000-3134a,31350-323af"
    /** ByteLevel split regex `\p{N}` (Oniguruma). */
    val REGEX_NUMBER: String = "30-39,b2-b3,b9,bc-be,660-669,6f0-6f9,7c0-7c9,966-96f,9e6-9ef,9f4-9f9,a66-a6f,ae6-aef,b66-b6f,b72-b77,be6-bf2,c66-c6f,c78-c7e,ce6-cef,d58-d5e,d66-d78,de6-def,e50-e59,ed0-ed9,f20-f33,1040-1049,1090-1099,1369-137c,16ee-16f0,17e0-17e9,17f0-17f9,1810-1819,1946-194f,19d0-19da,1a80-1a89,1a90-1a99,1b50-1b59,1bb0-1bb9,1c40-1c49,1c50-1c59,2070,2074-2079,2080-2089,2150-2182,2185-2189,2460-249b,24ea-24ff,2776-2793,2cfd,3007,3021-3029,3038-303a,3192-3195,3220-3229,3248-324f,3251-325f,3280-3289,32b1-32bf,a620-a629,a6e6-a6ef,a830-a835,a8d0-a8d9,a900-a909,a9d0-a9d9,a9f0-a9f9,aa50-aa59,abf0-abf9,ff10-ff19,10107-10133,10140-10178,1018a-1018b,102e1-102fb,10320-10323,10341,1034a,103d1-103d5,104a0-104a9,10858-1085f,10879-1087f,108a7-108af,108fb-108ff,10916-1091b,109bc-109bd,109c0-109cf,109d2-109ff,10a40-10a48,10a7d-10a7e,10a9d-10a9f,10aeb-10aef,10b58-10b5f,10b78-10b7f,10ba9-10baf,10cfa-10cff,10d30-10d39,10d40-10d49,10e60-10e7e,10f1d-10f26,10f51-10f54,10fc5-10fcb,11052-1106f,110f0-110f9,11136-1113f,111d0-111d9,111e1-111f4,112f0-112f9,11450-11459,114d0-114d9,11650-11659,116c0-116c9,116d0-116e3,11730-1173b,118e0-118f2,11950-11959,11bf0-11bf9,11c50-11c6c,11d50-11d59,11da0-11da9,11f50-11f59,11fc0-11fd4,12400-1246e,16130-16139,16a60-16a69,16ac0-16ac9,16b50-16b59,16b5b-16b61,16d70-16d79,16e80-16e96,1ccf0-1ccf9,1d2c0-1d2d3,1d2e0-1d2f3,1d360-1d378,1d7ce-1d7ff,1e140-1e149,1e2f0-1e2f9,1e4f0-1e4f9,1e5f1-1e5fa,1e8c7-1e8cf,1e950-1e959,1ec71-1ecab,1ecad-1ecaf,1ecb1-1ecb4,1ed01-1ed2d,1ed2f-1ed3d,1f100-1f10c,1fbf0-1fbf9"
    /** ByteLevel split regex `\s` (Oniguruma). */
    val REGEX_SPACE: String = "9-d,20,85,a0,1680,2000-200a,2028-2029,202f,205f,3000"
    /** `\w` of the Rust regex crate (single_word added tokens). */
    val WORD: String = "30-39,41-5a,5f,61-7a,aa,b5,ba,c0-d6,d8-f6,f8-2c1,2c6-2d1,2e0-2e4,2ec,2ee,300-374,376-377,37a-37d,37f,386,388-38a,38c,38e-3a1,3a3-3f5,3f7-481,483-52f,531-556,559,560-588,591-5bd,5bf,5c1-5c2,5c4-5c5,5c7,5d0-5ea,5ef-5f2,610-61a,620-669,66e-6d3,6d5-6dc,6df-6e8,6ea-6fc,6ff,710-74a,74d-7b1,7c0-7f5,7fa,7fd,800-82d,840-85b,860-86a,870-887,889-88e,897-8e1,8e3-963,966-96f,971-983,985-98c,98f-990,993-9a8,9aa-9b0,9b2,9b6-9b9,9bc-9c4,9c7-9c8,9cb-9ce,9d7,9dc-9dd,9df-9e3,9e6-9f1,9fc,9fe,a01-a03,a05-a0a,a0f-a10,a13-a28,a2a-a30,a32-a33,a35-a36,a38-a39,a3c,a3e-a42,a47-a48,a4b-a4d,a51,a59-a5c,a5e,a66-a75,a81-a83,a85-a8d,a8f-a91,a93-aa8,aaa-ab0,ab2-ab3,ab5-ab9,abc-ac5,ac7-ac9,acb-acd,ad0,ae0-ae3,ae6-aef,af9-aff,b01-b03,b05-b0c,b0f-b10,b13-b28,b2a-b30,b32-b33,b35-b39,b3c-b44,b47-b48,b4b-b4d,b55-b57,b5c-b5d,b5f-b63,b66-b6f,b71,b82-b83,b85-b8a,b8e-b90,b92-b95,b99-b9a,b9c,b9e-b9f,ba3-ba4,ba8-baa,bae-bb9,bbe-bc2,bc6-bc8,bca-bcd,bd0,bd7,be6-bef,c00-c0c,c0e-c10,c12-c28,c2a-c39,c3c-c44,c46-c48,c4a-c4d,c55-c56,c58-c5a,c5d,c60-c63,c66-c6f,c80-c83,c85-c8c,c8e-c90,c92-ca8,caa-cb3,cb5-cb9,cbc-cc4,cc6-cc8,cca-ccd,cd5-cd6,cdd-cde,ce0-ce3,ce6-cef,cf1-cf3,d00-d0c,d0e-d10,d12-d44,d46-d48,d4a-d4e,d54-d57,d5f-d63,d66-d6f,d7a-d7f,d81-d83,d85-d96,d9a-db1,db3-dbb,dbd,dc0-dc6,dca,dcf-dd4,dd6,dd8-ddf,de6-def,df2-df3,e01-e3a,e40-e4e,e50-e59,e81-e82,e84,e86-e8a,e8c-ea3,ea5,ea7-ebd,ec0-ec4,ec6,ec8-ece,ed0-ed9,edc-edf,f00,f18-f19,f20-f29,f35,f37,f39,f3e-f47,f49-f6c,f71-f84,f86-f97,f99-fbc,fc6,1000-1049,1050-109d,10a0-10c5,10c7,10cd,10d0-10fa,10fc-1248,124a-124d,1250-1256,1258,125a-125d,1260-1288,128a-128d,1290-12b0,12b2-12b5,12b8-12be,12c0,12c2-12c5,12c8-12d6,12d8-1310,1312-1315,1318-135a,135d-135f,1380-138f,13a0-13f5,13f8-13fd,1401-166c,166f-167f,1681-169a,16a0-16ea,16ee-16f8,1700-1715,171f-1734,1740-1753,1760-176c,176e-1770,1772-1773,1780-17d3,17d7,17dc-17dd,17e0-17e9,180b-180d,180f-1819,1820-1878,1880-18aa,18b0-18f5,1900-191e,1920-192b,1930-193b,1946-196d,1970-1974,1980-19ab,19b0-19c9,19d0-19d9,1a00-1a1b,1a20-1a5e,1a60-1a7c,1a7f-1a89,1a90-1a99,1aa7,1ab0-1ace,1b00-1b4c,1b50-1b59,1b6b-1b73,1b80-1bf3,1c00-1c37,1c40-1c49,1c4d-1c7d,1c80-1c8a,1c90-1cba,1cbd-1cbf,1cd0-1cd2,1cd4-1cfa,1d00-1f15,1f18-1f1d,1f20-1f45,1f48-1f4d,1f50-1f57,1f59,1f5b,1f5d,1f5f-1f7d,1f80-1fb4,1fb6-1fbc,1fbe,1fc2-1fc4,1fc6-1fcc,1fd0-1fd3,1fd6-1fdb,1fe0-1fec,1ff2-1ff4,1ff6-1ffc,200c-200d,203f-2040,2054,2071,207f,2090-209c,20d0-20f0,2102,2107,210a-2113,2115,2119-211d,2124,2126,2128,212a-212d,212f-2139,213c-213f,2145-2149,214e,2160-2188,24b6-24e9,2c00-2ce4,2ceb-2cf3,2d00-2d25,2d27,2d2d,2d30-2d67,2d6f,2d7f-2d96,2da0-2da6,2da8-2dae,2db0-2db6,2db8-2dbe,2dc0-2dc6,2dc8-2dce,2dd0-2dd6,2dd8-2dde,2de0-2dff,2e2f,3005-3007,3021-302f,3031-3035,3038-303c,3041-3096,3099-309a,309d-309f,30a1-30fa,30fc-30ff,3105-312f,3131-318e,31a0-31bf,31f0-31ff,3400-4dbf,4e00-a48c,a4d0-a4fd,a500-a60c,a610-a62b,a640-a672,a674-a67d,a67f-a6f1,a717-a71f,a722-a788,a78b-a7cd,a7d0-a7d1,a7d3,a7d5-a7dc,a7f2-a827,a82c,a840-a873,a880-a8c5,a8d0-a8d9,a8e0-a8f7,a8fb,a8fd-a92d,a930-a953,a960-a97c,a980-a9c0,a9cf-a9d9,a9e0-a9fe,aa00-aa36,aa40-aa4d,aa50-aa59,aa60-aa76,aa7a-aac2,aadb-aadd,aae0-aaef,aaf2-aaf6,ab01-ab06,ab09-ab0e,ab11-ab16,ab20-ab26,ab28-ab2e,ab30-ab5a,ab5c-ab69,ab70-abea,abec-abed,abf0-abf9,ac00-d7a3,d7b0-d7c6,d7cb-d7fb,f900-fa6d,fa70-fad9,fb00-fb06,fb13-fb17,fb1d-fb28,fb2a-fb36,fb38-fb3c,fb3e,fb40-fb41,fb43-fb44,fb46-fbb1,fbd3-fd3d,fd50-fd8f,fd92-fdc7,fdf0-fdfb,fe00-fe0f,fe20-fe2f,fe33-fe34,fe4d-fe4f,fe70-fe74,fe76-fefc,ff10-ff19,ff21-ff3a,ff3f,ff41-ff5a,ff66-ffbe,ffc2-ffc7,ffca-ffcf,ffd2-ffd7,ffda-ffdc,10000-1000b,1000d-10026,10028-1003a,1003c-1003d,1003f-1004d,10050-1005d,10080-100fa,10140-10174,101fd,10280-1029c,102a0-102d0,102e0,10300-1031f,1032d-1034a,10350-1037a,10380-1039d,103a0-103c3,103c8-103cf,103d1-103d5,10400-1049d,104a0-104a9,104b0-104d3,104d8-104fb,10500-10527,10530-10563,10570-1057a,1057c-1058a,1058c-10592,10594-10595,10597-105a1,105a3-105b1,105b3-105b9,105bb-105bc,105c0-105f3,10600-10736,10740-10755,10760-10767,10780-10785,10787-107b0,107b2-107ba,10800-10805,10808,1080a-10835,10837-10838,1083c,1083f-10855,10860-10876,10880-1089e,108e0-108f2,108f4-108f5,10900-10915,10920-10939,10980-109b7,109be-109bf,10a00-10a03,10a05-10a06,10a0c-10a13,10a15-10a17,10a19-10a35,10a38-10a3a,10a3f,10a60-10a7c,10a80-10a9c,10ac0-10ac7,10ac9-10ae6,10b00-10b35,10b40-10b55,10b60-10b72,10b80-10b91,10c00-10c48,10c80-10cb2,10cc0-10cf2,10d00-10d27,10d30-10d39,10d40-10d65,10d69-10d6d,10d6f-10d85,10e80-10ea9,10eab-10eac,10eb0-10eb1,10ec2-10ec4,10efc-10f1c,10f27,10f30-10f50,10f70-10f85,10fb0-10fc4,10fe0-10ff6,11000-11046,11066-11075,1107f-110ba,110c2,110d0-110e8,110f0-110f9,11100-11134,11136-1113f,11144-11147,11150-11173,11176,11180-111c4,111c9-111cc,111ce-111da,111dc,11200-11211,11213-11237,1123e-11241,11280-11286,11288,1128a-1128d,1128f-1129d,1129f-112a8,112b0-112ea,112f0-112f9,11300-11303,11305-1130c,1130f-11310,11313-11328,1132a-11330,11332-11333,11335-11339,1133b-11344,11347-11348,1134b-1134d,11350,11357,1135d-11363,11366-1136c,11370-11374,11380-11389,1138b,1138e,11390-113b5,113b7-113c0,113c2,113c5,113c7-113ca,113cc-113d3,113e1-113e2,11400-1144a,11450-11459,1145e-11461,11480-114c5,114c7,114d0-114d9,11580-115b5,115b8-115c0,115d8-115dd,11600-11640,11644,11650-11659,11680-116b8,116c0-116c9,116d0-116e3,11700-1171a,1171d-1172b,11730-11739,11740-11746,11800-1183a,118a0-118e9,118ff-11906,11909,1190c-11913,11915-11916,11918-11935,11937-11938,1193b-11943,11950-11959,119a0-119a7,119aa-119d7,119da-119e1,119e3-119e4,11a00-11a3e,11a47,11a50-11a99,11a9d,11ab0-11af8,11bc0-11be0,11bf0-11bf9,11c00-11c08,11c0a-11c36,11c38-11c40,11c50-11c59,11c72-11c8f,11c92-11ca7,11ca9-11cb6,11d00-11d06,11d08-11d09,11d0b-11d36,11d3a,11d3c-11d3d,11d3f-11d47,11d50-11d59,11d60-11d65,11d67-11d68,11d6a-11d8e,11d90-11d91,11d93-11d98,11da0-11da9,11ee0-11ef6,11f00-11f10,11f12-11f3a,11f3e-11f42,11f50-11f5a,11fb0,12000-12399,12400-1246e,12480-12543,12f90-12ff0,13000-1342f,13440-13455,13460-143fa,14400-14646,16100-16139,16800-16a38,16a40-16a5e,16a60-16a69,16a70-16abe,16ac0-16ac9,16ad0-16aed,16af0-16af4,16b00-16b36,16b40-16b43,16b50-16b59,16b63-16b77,16b7d-16b8f,16d40-16d6c,16d70-16d79,16e40-16e7f,16f00-16f4a,16f4f-16f87,16f8f-16f9f,16fe0-16fe1,16fe3-16fe4,16ff0-16ff1,17000-187f7,18800-18cd5,18cff-18d08,1aff0-1aff3,1aff5-1affb,1affd-1affe,1b000-1b122,1b132,1b150-1b152,1b155,1b164-1b167,1b170-1b2fb,1bc00-1bc6a,1bc70-1bc7c,1bc80-1bc88,1bc90-1bc99,1bc9d-1bc9e,1ccf0-1ccf9,1cf00-1cf2d,1cf30-1cf46,1d165-1d169,1d16d-1d172,1d17b-1d182,1d185-1d18b,1d1aa-1d1ad,1d242-1d244,1d400-1d454,1d456-1d49c,1d49e-1d49f,1d4a2,1d4a5-1d4a6,1d4a9-1d4ac,1d4ae-1d4b9,1d4bb,1d4bd-1d4c3,1d4c5-1d505,1d507-1d50a,1d50d-1d514,1d516-1d51c,1d51e-1d539,1d53b-1d53e,1d540-1d544,1d546,1d54a-1d550,1d552-1d6a5,1d6a8-1d6c0,1d6c2-1d6da,1d6dc-1d6fa,1d6fc-1d714,1d716-1d734,1d736-1d74e,1d750-1d76e,1d770-1d788,1d78a-1d7a8,1d7aa-1d7c2,1d7c4-1d7cb,1d7ce-1d7ff,1da00-1da36,1da3b-1da6c,1da75,1da84,1da9b-1da9f,1daa1-1daaf,1df00-1df1e,1df25-1df2a,1e000-1e006,1e008-1e018,1e01b-1e021,1e023-1e024,1e026-1e02a,1e030-1e06d,1e08f,1e100-1e12c,1e130-1e13d,1e140-1e149,1e14e,1e290-1e2ae,1e2c0-1e2f9,1e4d0-1e4f9,1e5d0-1e5fa,1e7e0-1e7e6,1e7e8-1e7eb,1e7ed-1e7ee,1e7f0-1e7fe,1e800-1e8c4,1e8d0-1e8d6,1e900-1e94b,1e950-1e959,1ee00-1ee03,1ee05-1ee1f,1ee21-1ee22,1ee24,1ee27,1ee29-1ee32,1ee34-1ee37,1ee39,1ee3b,1ee42,1ee47,1ee49,1ee4b,1ee4d-1ee4f,1ee51-1ee52,1ee54,1ee57,1ee59,1ee5b,1ee5d,1ee5f,1ee61-1ee62,1ee64,1ee67-1ee6a,1ee6c-1ee72,1ee74-1ee77,1ee79-1ee7c,1ee7e,1ee80-1ee89,1ee8b-1ee9b,1eea1-1eea3,1eea5-1eea9,1eeab-1eebb,1f130-1f149,1f150-1f169,1f170-1f189,1fbf0-1fbf9,20000-2a6df,2a700-2b739,2b740-2b81d,2b820-2cea1,2ceb0-2ebe0,2ebf0-2ee5d,2f800-2fa1d,30000-3134a,31350-323af,e0100-e01ef"
}
// </generated-unicode-tables>
