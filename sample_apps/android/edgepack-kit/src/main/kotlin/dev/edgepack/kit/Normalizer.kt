package dev.edgepack.kit

/** BertNormalizer's steps; `Lowercase` is its lowercasing step alone. */
internal class Normalizer(val cleanText: Boolean, val handleChineseChars: Boolean, val stripAccents: Boolean, val lowercase: Boolean) {
    companion object {
        fun fromJson(value: Any?): Normalizer? = when (value) {
            null -> null
            is Map<*, *> -> when (value["type"]) {
                "BertNormalizer" -> {
                    val lowercase = value["lowercase"] as? Boolean ?: true
                    Normalizer(
                        cleanText = value["clean_text"] as? Boolean ?: true,
                        handleChineseChars = value["handle_chinese_chars"] as? Boolean ?: true,
                        stripAccents = value["strip_accents"] as? Boolean ?: lowercase,
                        lowercase = lowercase,
                    )
                }
                // `Lowercase` is BertNormalizer's lowercasing step alone.
                "Lowercase" -> Normalizer(cleanText = false, handleChineseChars = false, stripAccents = false, lowercase = true)
                else -> throw UnsupportedTokenizerException("unsupported normalizer ${value["type"]}: only BertNormalizer and Lowercase are supported")
            }
            else -> throw UnsupportedTokenizerException("malformed normalizer")
        }
    }
}

/** A normalized string: code points, and for each the index of the original code point it came from. */
internal class Normalized(val cps: IntArray, val align: IntArray) {
    val text: String get() = buildString { cps.forEach { appendCodePoint(it) } }
}

/** original[from, to) through the normalizer (none: unchanged). */
internal fun normalizeRange(normalizer: Normalizer?, original: IntArray, from: Int, to: Int): Normalized {
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
