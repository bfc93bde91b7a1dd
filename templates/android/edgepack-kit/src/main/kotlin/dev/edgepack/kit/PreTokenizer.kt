package dev.edgepack.kit

/** A split of a sequence: either already a token (an added token) or normalized text to tokenize. */
internal class Split(val normalized: Normalized, val start: Int, val end: Int, var tokens: List<Tok>?)

/** tokenizer.json `pre_tokenizer`: cuts a split into words. */
internal interface PreTokenizer {
    /** The words of [s], appended to [words]. */
    fun preTokenize(s: Split, words: MutableList<Split>)

    object None : PreTokenizer {
        override fun preTokenize(s: Split, words: MutableList<Split>) { words.add(s) }
    }

    object Bert : PreTokenizer {
        override fun preTokenize(s: Split, words: MutableList<Split>) = bertPreTokenize(s, words)
    }

    class ByteLevel(val addPrefixSpace: Boolean, val useRegex: Boolean) : PreTokenizer {
        override fun preTokenize(s: Split, words: MutableList<Split>) = byteLevelPreTokenize(s, addPrefixSpace, useRegex, words)
    }

    /** WhitespaceSplit: the runs between whitespace characters (Rust char::is_whitespace). */
    object WhitespaceSplit : PreTokenizer {
        override fun preTokenize(s: Split, words: MutableList<Split>) {
            var start = -1
            for (i in s.start until s.end) {
                if (UnicodeData.isWhitespace(s.normalized.cps[i])) {
                    if (start >= 0) { words.add(Split(s.normalized, start, i, null)); start = -1 }
                } else if (start < 0) start = i
            }
            if (start >= 0) words.add(Split(s.normalized, start, s.end, null))
        }
    }

    /** Each step runs on every word of the step before. */
    class Sequence(private val steps: List<PreTokenizer>) : PreTokenizer {
        override fun preTokenize(s: Split, words: MutableList<Split>) {
            var current = listOf(s)
            for (step in steps) {
                val next = ArrayList<Split>()
                for (w in current) step.preTokenize(w, next)
                current = next
            }
            words.addAll(current)
        }
    }

    companion object {
        /** The pre-tokenizers this kit implements, by tokenizer.json type. */
        private val readers = ComponentReaders<PreTokenizer>("pre_tokenizer", linkedMapOf(
            "BertPreTokenizer" to { _ -> Bert },
            "ByteLevel" to { v -> ByteLevel(v["add_prefix_space"] as? Boolean ?: true, v["use_regex"] as? Boolean ?: true) },
            "WhitespaceSplit" to { _ -> WhitespaceSplit },
            "Metaspace" to { v -> Metaspace.fromJson(v) },
            "Split" to { v -> SplitPattern.fromJson(v) },
            "Sequence" to { v -> Sequence((v["pretokenizers"] as? List<*> ?: emptyList<Any?>()).map { fromJson(it) }) },
        ))

        fun fromJson(value: Any?): PreTokenizer = readers.read(value) ?: None
    }
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
private fun byteLevelPreTokenize(s: Split, addPrefixSpace: Boolean, useRegex: Boolean, words: MutableList<Split>) {
    if (s.end <= s.start) return
    val src = s.normalized
    val prefix = addPrefixSpace && src.cps[s.start] != ' '.code
    val n = s.end - s.start + (if (prefix) 1 else 0)
    val cps = IntArray(n)
    val align = IntArray(n)
    val alignEnd = IntArray(n)
    var k = 0
    if (prefix) { cps[0] = ' '.code; align[0] = src.align[s.start]; alignEnd[0] = src.alignEnd[s.start]; k = 1 }
    for (i in s.start until s.end) { cps[k] = src.cps[i]; align[k] = src.align[i]; alignEnd[k] = src.alignEnd[i]; k++ }
    val pieces = if (useRegex) ByteLevelRegex.split(cps) else listOf(intArrayOf(0, n))
    for ((a, b) in pieces) {
        val bytes = IntArrayBuilder((b - a) * 2)
        val bytesAlign = IntArrayBuilder((b - a) * 2)
        val bytesAlignEnd = IntArrayBuilder((b - a) * 2)
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
            while (bytesAlign.size < bytes.size) { bytesAlign.add(align[i]); bytesAlignEnd.add(alignEnd[i]) }
        }
        val word = Normalized(bytes.toArray(), bytesAlign.toArray(), bytesAlignEnd.toArray())
        words.add(Split(word, 0, word.cps.size, null))
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

/**
 * Metaspace (SentencePiece's word boundary): every ' ' becomes [replacement] (aligned with the
 * space), [replacement] is put before the split unless it starts with one (`always`; `first`:
 * only for the split that starts the text; `never`), then, with [split], each replacement
 * starts a new word.
 */
internal class Metaspace(val replacement: Int, val prependScheme: String, private val split: Boolean) : PreTokenizer {
    private val spaces = Replace(Pattern.literal(intArrayOf(' '.code)), intArrayOf(replacement))

    override fun preTokenize(s: Split, words: MutableList<Split>) {
        if (s.end <= s.start) return
        var n = spaces.normalize(s.normalized.slice(s.start, s.end))
        val prepend = when (prependScheme) {
            "always" -> true
            "first" -> n.origin == 0
            else -> false
        }
        if (prepend && n.cps[0] != replacement) n = prepend(n, intArrayOf(replacement))
        if (!split) { words.add(Split(n, 0, n.cps.size, null)); return }
        var start = 0
        for (k in 1 until n.cps.size) {
            if (n.cps[k] == replacement) { words.add(Split(n, start, k, null)); start = k }
        }
        words.add(Split(n, start, n.cps.size, null))
    }

    companion object {
        fun fromJson(v: Map<*, *>): Metaspace {
            val replacement = codePoints(v["replacement"] as? String ?: "\u2581")
            if (replacement.size != 1) throw UnsupportedTokenizerException("unsupported Metaspace replacement: one character is supported")
            // Files written before prepend_scheme existed say add_prefix_space instead.
            val scheme = v["prepend_scheme"] as? String ?: if (v["add_prefix_space"] == false) "never" else "always"
            if (scheme !in setOf("always", "first", "never")) throw UnsupportedTokenizerException("unsupported Metaspace prepend_scheme $scheme")
            return Metaspace(replacement[0], scheme, v["split"] as? Boolean ?: true)
        }
    }
}

/** The Split pre-tokenizer: cuts at each match of [pattern] (or between them, [invert]), and keeps the matches as [behavior] says. */
internal class SplitPattern(private val pattern: Pattern, private val behavior: String, private val invert: Boolean) : PreTokenizer {
    override fun preTokenize(s: Split, words: MutableList<Split>) {
        // Every part of the split in order: (start, end, is a match).
        val parts = ArrayList<Triple<Int, Int, Boolean>>()
        var at = s.start
        for ((a, b) in pattern.findMatches(s.normalized.cps, s.start, s.end)) {
            if (at < a) parts.add(Triple(at, a, invert))
            parts.add(Triple(a, b, !invert))
            at = b
        }
        if (at < s.end || parts.isEmpty()) parts.add(Triple(at, s.end, invert))
        // SplitDelimiterBehavior: (start, end, removed).
        val kept: List<Triple<Int, Int, Boolean>> = when (behavior) {
            "Removed" -> parts
            "Isolated" -> parts.map { Triple(it.first, it.second, false) }
            "Contiguous" -> merge(parts) { last, _, match, previous -> match == previous && last != null }
            "MergedWithPrevious" -> merge(parts) { last, _, match, previous -> match && !previous && last != null }
            "MergedWithNext" -> merge(parts.reversed()) { last, _, match, previous -> match && !previous && last != null }.reversed()
            else -> throw IllegalStateException(behavior)
        }
        for ((a, b, removed) in kept) if (!removed && a < b) words.add(Split(s.normalized, a, b, null))
    }

    /** Parts folded left to right: a part that [joins] the last kept one widens it instead of being kept. */
    private fun merge(parts: List<Triple<Int, Int, Boolean>>, joins: (Triple<Int, Int, Boolean>?, Int, Boolean, Boolean) -> Boolean):
        List<Triple<Int, Int, Boolean>> {
        val out = ArrayList<Triple<Int, Int, Boolean>>()
        var previous = false
        for (p in parts) {
            val last = out.lastOrNull()
            if (joins(last, p.first, p.third, previous)) {
                out[out.size - 1] = Triple(minOf(last!!.first, p.first), maxOf(last.second, p.second), false)
            } else {
                out.add(Triple(p.first, p.second, false))
            }
            previous = p.third
        }
        return out
    }

    companion object {
        private val BEHAVIORS = mapOf("removed" to "Removed", "isolated" to "Isolated", "contiguous" to "Contiguous",
                                      "merged_with_previous" to "MergedWithPrevious", "merged_with_next" to "MergedWithNext")

        fun fromJson(v: Map<*, *>): SplitPattern {
            val raw = v["behavior"] as? String ?: "Removed"
            val behavior = BEHAVIORS[raw] ?: raw.takeIf { it in BEHAVIORS.values }
                ?: throw UnsupportedTokenizerException("unsupported Split behavior $raw")
            return SplitPattern(Pattern.fromJson(v["pattern"], "Split pre-tokenizer"), behavior, v["invert"] as? Boolean ?: false)
        }
    }
}
