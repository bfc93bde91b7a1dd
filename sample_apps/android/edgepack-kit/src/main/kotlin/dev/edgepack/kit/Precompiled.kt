package dev.edgepack.kit

/**
 * The Precompiled normalizer: SentencePiece's `precompiled_charsmap` (as XLM-RoBERTa, ALBERT,
 * DeBERTa-v3, T5 ship it), a double-array trie over UTF-8 bytes whose values point into a blob
 * of NUL-terminated replacements; the layout is [u32 trie size in bytes][trie: u32 units][blob].
 *
 * Applied as `tokenizers` applies it, oddities included, since ids and offsets must match:
 * the text is cut into grapheme clusters; a cluster shorter than 6 bytes is replaced whole by
 * the replacement of its SHORTEST prefix found in the trie (the rest of the cluster is lost);
 * otherwise, and when no prefix is found, each character on its own. Alignment as in
 * [Changes.replaceMany], whose quirk (a removal at the very start is forgotten, so what follows
 * is aligned one character early) `tokenizers` has too.
 */
internal class Precompiled(private val units: LongArray, private val blob: ByteArray) : Normalizer {
    /** DoubleArray::common_prefix_search, first (shortest) result only: a blob offset or -1. */
    private fun shortestPrefix(key: ByteArray): Int {
        if (units.isEmpty()) return -1
        var node = offset(units[0]).toLong()
        for (b in key) {
            val c = b.toInt() and 0xFF
            if (c == 0) break
            node = node xor c.toLong()
            if (node < 0 || node >= units.size) return -1
            val unit = units[node.toInt()]
            if (label(unit) != c.toLong()) return -1
            node = node xor offset(unit).toLong()
            if (node < 0 || node >= units.size) return -1
            if ((unit shr 8) and 1L == 1L) return (units[node.toInt()] and 0x7FFFFFFFL).toInt()
        }
        return -1
    }

    private fun label(u: Long) = u and ((1L shl 31) or 0xFFL)
    private fun offset(u: Long): Int = ((u shr 10) shl ((u and (1L shl 9)) shr 6).toInt()).toInt()

    /** The replacement of [chunk]'s shortest prefix in the trie, as code points; null when none. */
    private fun transform(chunk: IntArray): IntArray? {
        val at = shortestPrefix(utf8(chunk))
        if (at < 0) return null
        var end = at
        while (end < blob.size && blob[end] != 0.toByte()) end++
        return codePoints(String(blob, at, end - at, Charsets.UTF_8))
    }

    override fun normalize(n: Normalized): Normalized {
        val out = Changes(n.cps.size + 8)
        var modified = false
        fun emit(replacement: IntArray, replaced: Int) {
            modified = true
            out.replaceMany(replaced, replacement)
        }
        for ((start, end) in Graphemes.split(n.cps)) {
            val cluster = n.cps.copyOfRange(start, end)
            if (utf8Length(cluster) < 6) {
                val whole = transform(cluster)
                if (whole != null) { emit(whole, cluster.size); continue }
            }
            for (c in cluster) {
                val one = transform(intArrayOf(c))
                if (one != null) emit(one, 1) else out.add(c, 0)
            }
        }
        return if (modified) n.transform(out) else n
    }

    companion object {
        fun fromJson(value: Map<*, *>): Precompiled {
            val encoded = value["precompiled_charsmap"] as? String
                ?: throw UnsupportedTokenizerException("Precompiled normalizer without precompiled_charsmap")
            val bytes = Base64.decode(encoded) ?: throw UnsupportedTokenizerException("Precompiled precompiled_charsmap is not base64")
            if (bytes.size < 4) throw UnsupportedTokenizerException("Precompiled precompiled_charsmap is truncated")
            val trieBytes = u32(bytes, 0).toInt()
            if (trieBytes < 0 || 4 + trieBytes > bytes.size) throw UnsupportedTokenizerException("Precompiled precompiled_charsmap is truncated")
            val units = LongArray(trieBytes / 4) { u32(bytes, 4 + 4 * it) }
            return Precompiled(units, bytes.copyOfRange(4 + trieBytes, bytes.size))
        }

        private fun u32(b: ByteArray, at: Int): Long =
            (b[at].toLong() and 0xFF) or ((b[at + 1].toLong() and 0xFF) shl 8) or
                ((b[at + 2].toLong() and 0xFF) shl 16) or ((b[at + 3].toLong() and 0xFF) shl 24)
    }
}

/**
 * Extended grapheme clusters, as far as Precompiled can tell them apart: CR LF; nothing joins
 * a control character; Extend, ZWJ and SpacingMark join what precedes them; Prepend joins what
 * follows. The other rules (Hangul syllables, regional-indicator pairs, emoji ZWJ sequences,
 * Indic conjuncts) only make clusters of 6 bytes or more, which Precompiled reads character by
 * character anyway. Classes measured from `tokenizers` ([UnicodeTables]).
 */
internal object Graphemes {
    fun split(cps: IntArray): List<IntArray> {
        val out = ArrayList<IntArray>()
        var start = 0
        for (k in 1..cps.size) {
            if (k == cps.size || breaksBetween(cps[k - 1], cps[k])) {
                if (start < k) out.add(intArrayOf(start, k))
                start = k
            }
        }
        return out
    }

    private fun breaksBetween(before: Int, after: Int): Boolean {
        if (before == '\r'.code && after == '\n'.code) return false
        if (UnicodeData.isGraphemeControl(before) || UnicodeData.isGraphemeControl(after)) return true
        if (UnicodeData.isGraphemeExtend(after)) return false
        return !UnicodeData.isGraphemePrepend(before)
    }
}

internal fun utf8Length(cps: IntArray): Int = cps.sumOf { c -> if (c < 0x80) 1 else if (c < 0x800) 2 else if (c < 0x10000) 3 else 4 }

internal fun utf8(cps: IntArray): ByteArray = buildString { cps.forEach { appendCodePoint(it) } }.toByteArray(Charsets.UTF_8)

/** Standard base64 (with or without padding), without depending on an Android API level. */
internal object Base64 {
    private const val ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    fun decode(text: String): ByteArray? {
        val out = java.io.ByteArrayOutputStream(text.length * 3 / 4)
        var buffer = 0
        var bits = 0
        for (ch in text) {
            if (ch == '=') break
            val v = ALPHABET.indexOf(ch)
            if (v < 0) return null
            buffer = (buffer shl 6) or v
            bits += 6
            if (bits >= 8) {
                bits -= 8
                out.write((buffer shr bits) and 0xFF)
            }
        }
        return out.toByteArray()
    }
}
