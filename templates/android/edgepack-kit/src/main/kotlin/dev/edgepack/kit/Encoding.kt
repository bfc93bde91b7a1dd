package dev.edgepack.kit

/** One tokenized text (or pair), as `tokenizers.Encoding` holds it; offsets are [start, end) code points. */
class Encoding(
    val ids: IntArray,
    val typeIds: IntArray,
    val attentionMask: IntArray,
    val offsets: Array<IntArray>,
    val tokens: Array<String>,
)

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

    /** The first (or, [left], the last) [max] tokens. */
    fun truncated(max: Int, left: Boolean): Seq {
        val n = ids.size
        if (max >= n) return this
        return if (left) slice(n - max, n) else slice(0, max)
    }

    fun toEncoding() = Encoding(
        ids.toIntArray(), typeIds.toIntArray(), mask.toIntArray(),
        Array(ids.size) { intArrayOf(starts[it], ends[it]) }, tokens.toTypedArray(),
    )
}
