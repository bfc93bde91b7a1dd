package dev.edgepack.kit

/**
 * One tokenized text (or pair), as `tokenizers.Encoding` holds it; offsets are [start, end) code points.
 * [wordIds] is `Encoding.word_ids`: the index of the pre-tokenized word each token came from,
 * [NO_WORD] for special tokens and padding.
 */
class Encoding(
    val ids: IntArray,
    val typeIds: IntArray,
    val attentionMask: IntArray,
    val offsets: Array<IntArray>,
    val tokens: Array<String>,
    val wordIds: IntArray,
) {
    companion object {
        const val NO_WORD = -1
    }
}

/** One sequence before post-processing; offsets are code points of that sequence's text. */
internal class Seq(
    val ids: MutableList<Int> = ArrayList(),
    val typeIds: MutableList<Int> = ArrayList(),
    val tokens: MutableList<String> = ArrayList(),
    val starts: MutableList<Int> = ArrayList(),
    val ends: MutableList<Int> = ArrayList(),
    val mask: MutableList<Int> = ArrayList(),
    val words: MutableList<Int> = ArrayList(),
) {
    fun add(id: Int, type: Int, token: String, start: Int, end: Int, attention: Int = 1, word: Int = Encoding.NO_WORD) {
        ids.add(id); typeIds.add(type); tokens.add(token); starts.add(start); ends.add(end); mask.add(attention); words.add(word)
    }

    /** Token [k] of [from], with another type id or offsets when given. */
    fun copy(from: Seq, k: Int, type: Int = from.typeIds[k], start: Int = from.starts[k], end: Int = from.ends[k]) =
        add(from.ids[k], type, from.tokens[k], start, end, from.mask[k], from.words[k])

    fun slice(from: Int, to: Int): Seq = Seq().also { out -> for (k in from until to) out.copy(this, k) }

    /** The first (or, [left], the last) [max] tokens. */
    fun truncated(max: Int, left: Boolean): Seq {
        val n = ids.size
        if (max >= n) return this
        return if (left) slice(n - max, n) else slice(0, max)
    }

    fun toEncoding() = Encoding(
        ids.toIntArray(), typeIds.toIntArray(), mask.toIntArray(),
        Array(ids.size) { intArrayOf(starts[it], ends[it]) }, tokens.toTypedArray(), words.toIntArray(),
    )
}
