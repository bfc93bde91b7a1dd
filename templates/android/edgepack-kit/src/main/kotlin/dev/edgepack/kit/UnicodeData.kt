package dev.edgepack.kit

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
    private val compatibility by lazy { mapping(UnicodeTables.COMPATIBILITY_DECOMPOSITION) }
    private val composites: Map<Long, Int> by lazy {
        HashMap<Long, Int>().also { m -> mapping(UnicodeTables.COMPOSITION).forEach { (c, pair) -> m[pairKey(pair[0], pair[1])] = c } }
    }
    private val combiningMark by lazy { RangeSet(UnicodeTables.COMBINING_MARK) }
    private val graphemeControl by lazy { RangeSet(UnicodeTables.GRAPHEME_CONTROL) }
    private val graphemeExtend by lazy { RangeSet(UnicodeTables.GRAPHEME_EXTEND) }
    private val graphemePrepend by lazy { RangeSet(UnicodeTables.GRAPHEME_PREPEND) }
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
    /** NFKD of [c] where it differs from NFD. */
    fun compatibilityDecomposition(c: Int): IntArray? = compatibility[c]

    /** The primary composite of [a] followed by [b] (NFC), or null; Hangul syllables by their formula. */
    fun compose(a: Int, b: Int): Int? {
        if (a in 0x1100..0x1112 && b in 0x1161..0x1175) return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        if (a in 0xAC00..0xD7A3 && (a - 0xAC00) % 28 == 0 && b in 0x11A8..0x11C2) return a + (b - 0x11A7)
        return composites[pairKey(a, b)]
    }

    private fun pairKey(a: Int, b: Int): Long = (a.toLong() shl 32) or b.toLong()
    fun isNonspacingMark(c: Int) = c in nonspacing
    /** Every combining mark (the StripAccents normalizer's set; BertNormalizer strips [isNonspacingMark] only). */
    fun isCombiningMark(c: Int) = c in combiningMark
    fun combiningClass(c: Int): Int = classes[c] ?: 0
    fun lowercase(c: Int): IntArray? = lower[c]

    /** `\p{L}`, `\p{N}` and `\s` of the ByteLevel split regex (Oniguruma's Unicode tables). */
    fun isRegexLetter(c: Int) = c in regexLetter
    fun isRegexNumber(c: Int) = c in regexNumber
    fun isRegexSpace(c: Int) = c in regexSpace

    /** Regex `\w` as the Rust regex crate defines it (used for single_word added tokens); the
     *  JVM's Character data is an older Unicode and misses thousands of word characters. */
    fun isWordChar(c: Int) = c in word

    /** Grapheme cluster classes ([Graphemes]): Control/CR/LF, Extend/ZWJ/SpacingMark, Prepend. */
    fun isGraphemeControl(c: Int) = c in graphemeControl
    fun isGraphemeExtend(c: Int) = c in graphemeExtend
    fun isGraphemePrepend(c: Int) = c in graphemePrepend
}
