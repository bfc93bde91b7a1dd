package dev.edgepack.kit

/**
 * A normalized string, as `tokenizers`' NormalizedString holds it: code points, and for each the
 * range [align, alignEnd) of original code points it came from. [origin] is where the text
 * starts in the original: a character inserted before every other one is aligned there, empty.
 */
internal class Normalized(
    val cps: IntArray,
    val align: IntArray,
    val alignEnd: IntArray = IntArray(align.size) { align[it] + 1 },
    val origin: Int = if (align.isEmpty()) 0 else align[0],
) {
    val text: String get() = buildString { cps.forEach { appendCodePoint(it) } }

    /** [from, to) as its own string; its origin is where its first character comes from. */
    fun slice(from: Int, to: Int): Normalized = Normalized(
        cps.copyOfRange(from, to), align.copyOfRange(from, to), alignEnd.copyOfRange(from, to),
        if (from < to) align[from] else if (from < align.size) align[from] else origin,
    )

    /**
     * NormalizedString::transform: [out] lists every new code point with its change, 1 for an
     * inserted character (aligned with the character before it, or empty at the start), 0 for
     * one that replaces the next old character, -n for one that replaces it and removes the n
     * after it; [removedFirst] old characters are removed before the first.
     */
    fun transform(out: Changes, removedFirst: Int = 0): Normalized {
        val n = out.size
        val a = IntArray(n)
        val e = IntArray(n)
        var j = removedFirst
        for (k in 0 until n) {
            val change = out.change(k)
            if (change > 0) {
                if (j < 1) { a[k] = origin; e[k] = origin } else { a[k] = align[j - 1]; e[k] = alignEnd[j - 1] }
            } else {
                a[k] = align[j]; e[k] = alignEnd[j]
                j += 1 - change
            }
        }
        return Normalized(out.codePoints(), a, e, origin)
    }

    /** NormalizedString::filter: the characters [keep] rejects leave, the others keep their alignment. */
    fun filter(keep: (Int) -> Boolean): Normalized {
        val kept = (cps.indices).filter { keep(cps[it]) }
        if (kept.size == cps.size) return this
        return Normalized(IntArray(kept.size) { cps[kept[it]] }, IntArray(kept.size) { align[kept[it]] },
                          IntArray(kept.size) { alignEnd[kept[it]] }, origin)
    }

    /** NormalizedString::map: each character replaced by one other, same alignment. */
    fun map(f: (Int) -> Int): Normalized = Normalized(IntArray(cps.size) { f(cps[it]) }, align, alignEnd, origin)

    companion object {
        /** original[from, to) before any normalization. */
        fun of(original: IntArray, from: Int, to: Int) =
            Normalized(original.copyOfRange(from, to), IntArray(to - from) { from + it }, IntArray(to - from) { from + it + 1 }, from)
    }
}

/** New code points and their changes, for [Normalized.transform]. */
internal class Changes(capacity: Int) {
    private val cps = IntArrayBuilder(capacity)
    private val changes = IntArrayBuilder(capacity)
    val size: Int
        get() = cps.size

    fun add(cp: Int, change: Int) { cps.add(cp); changes.add(change) }

    /** [replacement] in place of one character: the first replaces it, the others are inserted. */
    fun replaceOne(replacement: IntArray) = replacement.forEachIndexed { i, c -> add(c, if (i == 0) 0 else 1) }

    /**
     * [replacement] for the next [replaced] old characters, as `tokenizers`' Precompiled records it:
     * each new character replaces an old one; extra new ones are insertions; old ones left over
     * are removed by the last change recorded so far (none at the start: the removal is lost).
     */
    fun replaceMany(replaced: Int, replacement: IntArray) {
        for (c in replacement) add(c, 0)
        val diff = replacement.size - replaced
        if (diff > 0) {
            for (k in size - diff until size) changes.set(k, 1)
        } else if (diff < 0 && size > 0) {
            changes.set(size - 1, changes.get(size - 1) + diff)
        }
    }

    fun codePoints(): IntArray = cps.toArray()
    fun change(k: Int): Int = changes.get(k)
}

/** tokenizer.json `normalizer`: one step of `tokenizers`' normalizers. */
internal interface Normalizer {
    fun normalize(n: Normalized): Normalized

    companion object {
        /** The normalizers this kit implements, by tokenizer.json type. */
        private val readers = ComponentReaders<Normalizer>("normalizer", linkedMapOf(
            "BertNormalizer" to { v -> BertNormalizer.fromJson(v) },
            "Lowercase" to { _ -> Lowercase },
            "NFD" to { _ -> Decompose(compatibility = false) },
            "NFKD" to { _ -> Decompose(compatibility = true) },
            "NFC" to { _ -> Compose(compatibility = false) },
            "NFKC" to { _ -> Compose(compatibility = true) },
            "StripAccents" to { _ -> StripAccents },
            "Nmt" to { _ -> Nmt },
            "Strip" to { v -> Strip(v["strip_left"] as? Boolean ?: true, v["strip_right"] as? Boolean ?: true) },
            "Prepend" to { v -> Prepend(codePoints(v["prepend"] as? String ?: throw UnsupportedTokenizerException("Prepend normalizer without prepend"))) },
            "Replace" to { v -> Replace(Pattern.fromJson(v["pattern"], "Replace normalizer"), codePoints(v["content"] as? String ?: "")) },
            "Precompiled" to { v -> Precompiled.fromJson(v) },
            "Sequence" to { v -> SequenceNormalizer((v["normalizers"] as? List<*> ?: emptyList<Any?>()).mapNotNull { fromJson(it) }) },
        ))

        fun fromJson(value: Any?): Normalizer? = readers.read(value)
    }
}

/** original[from, to) through the normalizer (none: unchanged). */
internal fun normalizeRange(normalizer: Normalizer?, original: IntArray, from: Int, to: Int): Normalized {
    val n = Normalized.of(original, from, to)
    return normalizer?.normalize(n) ?: n
}

internal class SequenceNormalizer(private val steps: List<Normalizer>) : Normalizer {
    override fun normalize(n: Normalized): Normalized = steps.fold(n) { acc, step -> step.normalize(acc) }
}

/** BertNormalizer: clean_text, handle_chinese_chars, strip_accents, lowercase, in that order. */
internal class BertNormalizer(val cleanText: Boolean, val handleChineseChars: Boolean, val stripAccents: Boolean, val lowercase: Boolean) : Normalizer {
    override fun normalize(n: Normalized): Normalized {
        var s = n
        if (cleanText) s = s.filter { !UnicodeData.isControl(it) }.map { if (UnicodeData.isCleanSpace(it)) ' '.code else it }
        if (handleChineseChars) {
            val out = Changes(s.cps.size)
            for (c in s.cps) if (isChineseChar(c)) { out.add(' '.code, 0); out.add(c, 1); out.add(' '.code, 1) } else out.add(c, 0)
            s = s.transform(out)
        }
        if (stripAccents) s = Decompose(compatibility = false).normalize(s).filter { !UnicodeData.isNonspacingMark(it) }
        if (lowercase) s = Lowercase.normalize(s)
        return s
    }

    companion object {
        fun fromJson(value: Map<*, *>): BertNormalizer {
            val lowercase = value["lowercase"] as? Boolean ?: true
            return BertNormalizer(
                cleanText = value["clean_text"] as? Boolean ?: true,
                handleChineseChars = value["handle_chinese_chars"] as? Boolean ?: true,
                stripAccents = value["strip_accents"] as? Boolean ?: lowercase,
                lowercase = lowercase,
            )
        }
    }
}

/** Rust char::to_lowercase per character (tables measured from `tokenizers`). */
internal object Lowercase : Normalizer {
    override fun normalize(n: Normalized): Normalized {
        val out = Changes(n.cps.size)
        for (c in n.cps) out.replaceOne(UnicodeData.lowercase(c) ?: intArrayOf(c))
        return n.transform(out)
    }
}

/** StripAccents: every combining mark leaves (run after a decomposition to remove accents). */
internal object StripAccents : Normalizer {
    override fun normalize(n: Normalized): Normalized = n.filter { !UnicodeData.isCombiningMark(it) }
}

/** Nmt: ASCII control characters leave, a few spaces and separators become ' '. */
internal object Nmt : Normalizer {
    override fun normalize(n: Normalized): Normalized = n
        .filter { c -> !(c in 0x01..0x08 || c == 0x0B || c in 0x0E..0x1F || c == 0x7F || c == 0x8F || c == 0x9F) }
        .map { c ->
            val space = c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || c in 0x200B..0x200F ||
                c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD
            if (space) ' '.code else c
        }
}

/** Strip: leading and/or trailing whitespace (Rust char::is_whitespace) leaves. */
internal class Strip(private val left: Boolean, private val right: Boolean) : Normalizer {
    override fun normalize(n: Normalized): Normalized {
        var from = 0
        var to = n.cps.size
        if (left) while (from < to && UnicodeData.isWhitespace(n.cps[from])) from++
        if (right) while (to > from && UnicodeData.isWhitespace(n.cps[to - 1])) to--
        if (from == 0 && to == n.cps.size) return n
        return Normalized(n.cps.copyOfRange(from, to), n.align.copyOfRange(from, to), n.alignEnd.copyOfRange(from, to), n.origin)
    }
}

/** Prepend: [prefix] before a non-empty text, aligned with its first character. */
internal class Prepend(private val prefix: IntArray) : Normalizer {
    override fun normalize(n: Normalized): Normalized = prepend(n, prefix)
}

/** NormalizedString::prepend: the prefix replaces the first character, which is inserted again after it. */
internal fun prepend(n: Normalized, prefix: IntArray): Normalized {
    if (n.cps.isEmpty() || prefix.isEmpty()) return n
    val out = Changes(n.cps.size + prefix.size)
    prefix.forEachIndexed { i, c -> out.add(c, if (i == 0) 0 else 1) }
    out.add(n.cps[0], 1)
    for (k in 1 until n.cps.size) out.add(n.cps[k], 0)
    // The first old character is consumed by the prefix's first; the re-inserted copy follows it.
    return n.transform(out)
}

/** Replace: every match of [pattern] becomes [content], aligned with the last character it replaces. */
internal class Replace(private val pattern: Pattern, private val content: IntArray) : Normalizer {
    override fun normalize(n: Normalized): Normalized {
        val matches = pattern.findMatches(n.cps, 0, n.cps.size)
        if (matches.isEmpty()) return n
        val cps = IntArrayBuilder(n.cps.size)
        val align = IntArrayBuilder(n.cps.size)
        val alignEnd = IntArrayBuilder(n.cps.size)
        fun keep(k: Int) { cps.add(n.cps[k]); align.add(n.align[k]); alignEnd.add(n.alignEnd[k]) }
        var k = 0
        // The content is inserted after the removed match (NormalizedString::replace), so it takes
        // the alignment of the match's last character.
        for ((s, e) in matches) {
            while (k < s) keep(k++)
            for (c in content) { cps.add(c); align.add(n.align[e - 1]); alignEnd.add(n.alignEnd[e - 1]) }
            k = e
        }
        while (k < n.cps.size) keep(k++)
        return Normalized(cps.toArray(), align.toArray(), alignEnd.toArray(), n.origin)
    }
}

/**
 * NFD / NFKD, aligned the way `NormalizedString::transform` aligns the output of
 * unicode-normalization-alignments: characters are canonically reordered, the k-th character
 * that starts a decomposition takes the alignment of the k-th input character (by position,
 * not by origin), and the other characters of a decomposition take the alignment of the last
 * input character consumed.
 */
internal class Decompose(private val compatibility: Boolean) : Normalizer {
    override fun normalize(n: Normalized): Normalized = n.transform(changes(n.cps, compatibility))

    companion object {
        /** The decomposition of [cps] in canonical order, each character with its change for [Normalized.transform]. */
        fun changes(cps: IntArray, compatibility: Boolean): Changes {
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
                val d = (if (compatibility) UnicodeData.compatibilityDecomposition(c) else null) ?: UnicodeData.decomposition(c)
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
            val out = Changes(ch.size)
            for (k in ch.indices) out.add(ch[k], if (first[k] == 1) 0 else 1)
            return out
        }
    }
}

/**
 * NFC / NFKC: the decomposition, recomposed as unicode-normalization-alignments' Recompositions does
 * it: a mark composes with the last starter unless a mark of the same or a higher class stands
 * between them; a composed character's change is the sum of its parts' changes minus one (it
 * replaces both).
 */
internal class Compose(private val compatibility: Boolean) : Normalizer {
    override fun normalize(n: Normalized): Normalized {
        val decomposed = Decompose.changes(n.cps, compatibility)
        val chars = decomposed.codePoints()
        val out = Changes(chars.size)
        val blocked = ArrayList<IntArray>(4) // (mark, change) after the starter that did not compose with it
        var starter = -1
        var starterChange = 0
        var lastClass = -1 // class of the last mark kept in [blocked]; -1: none since the starter
        fun flush() {
            if (starter >= 0) out.add(starter, starterChange)
            for ((mark, change) in blocked) out.add(mark, change)
            blocked.clear()
        }
        for (k in chars.indices) {
            val ch = chars[k]
            val change = decomposed.change(k)
            val cls = UnicodeData.combiningClass(ch)
            if (starter < 0) {
                if (cls != 0) out.add(ch, change) else { starter = ch; starterChange = change }
                continue
            }
            val composed = if (lastClass < 0 || lastClass < cls) UnicodeData.compose(starter, ch) else null
            when {
                composed != null -> { starter = composed; starterChange += change - 1 }
                cls == 0 -> { flush(); starter = ch; starterChange = change; lastClass = -1 }
                else -> { blocked.add(intArrayOf(ch, change)); lastClass = cls }
            }
        }
        flush()
        return n.transform(out)
    }
}

private fun isChineseChar(c: Int): Boolean =
    c in 0x4E00..0x9FFF || c in 0x3400..0x4DBF || c in 0x20000..0x2A6DF || c in 0x2A700..0x2B73F ||
        c in 0x2B740..0x2B81F || c in 0x2B920..0x2CEAF || c in 0xF900..0xFAFF || c in 0x2F800..0x2FA1F
