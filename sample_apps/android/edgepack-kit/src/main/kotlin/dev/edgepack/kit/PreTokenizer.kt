package dev.edgepack.kit

/** A split of a sequence: either already a token (an added token) or normalized text to tokenize. */
internal class Split(val normalized: Normalized, val start: Int, val end: Int, var tokens: List<Tok>?)

/** tokenizer.json `pre_tokenizer`: none, BertPreTokenizer or ByteLevel. */
internal sealed class PreTokenizer {
    object None : PreTokenizer()
    object Bert : PreTokenizer()
    class ByteLevel(val addPrefixSpace: Boolean, val useRegex: Boolean) : PreTokenizer()

    /** The words of [s], appended to [words]. */
    fun preTokenize(s: Split, words: MutableList<Split>) {
        when (this) {
            None -> words.add(s)
            Bert -> bertPreTokenize(s, words)
            is ByteLevel -> byteLevelPreTokenize(s, addPrefixSpace, useRegex, words)
        }
    }

    companion object {
        fun fromJson(value: Any?): PreTokenizer = when (value) {
            null -> None
            is Map<*, *> -> when (value["type"]) {
                "BertPreTokenizer" -> Bert
                "ByteLevel" -> ByteLevel(
                    addPrefixSpace = value["add_prefix_space"] as? Boolean ?: true,
                    useRegex = value["use_regex"] as? Boolean ?: true,
                )
                else -> throw UnsupportedTokenizerException("unsupported pre_tokenizer ${value["type"]}: only BertPreTokenizer and ByteLevel are supported")
            }
            else -> throw UnsupportedTokenizerException("malformed pre_tokenizer")
        }
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
    var k = 0
    if (prefix) { cps[0] = ' '.code; align[0] = src.align[s.start]; k = 1 }
    for (i in s.start until s.end) { cps[k] = src.cps[i]; align[k] = src.align[i]; k++ }
    val pieces = if (useRegex) ByteLevelRegex.split(cps) else listOf(intArrayOf(0, n))
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
