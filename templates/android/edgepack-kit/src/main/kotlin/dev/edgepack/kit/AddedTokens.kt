package dev.edgepack.kit

/** One entry of tokenizer.json `added_tokens` (empty contents are dropped, as `tokenizers` does). */
internal class AddedToken(
    val content: String, val id: Int, val singleWord: Boolean, val lstrip: Boolean, val rstrip: Boolean, val normalized: Boolean,
    val special: Boolean,
) {
    companion object {
        fun fromJson(value: Any?): List<AddedToken> = (value as? List<*> ?: emptyList<Any?>()).mapNotNull { raw ->
            val m = raw as Map<*, *>
            val content = m["content"] as String
            if (content.isEmpty()) null else {
                val special = m["special"] as? Boolean ?: false
                AddedToken(
                    content = content,
                    id = intValue(m["id"], "added token id"),
                    singleWord = m["single_word"] as? Boolean ?: false,
                    lstrip = m["lstrip"] as? Boolean ?: false,
                    rstrip = m["rstrip"] as? Boolean ?: false,
                    normalized = m["normalized"] as? Boolean ?: !special,
                    special = special,
                )
            }
        }
    }
}

/** Added tokens (as code points) found in a text, and the text split around them. */
internal class AddedTokenMatcher(patterns: List<Pair<IntArray, AddedToken>>) {
    private val byFirst: Map<Int, List<Pair<IntArray, AddedToken>>> = patterns.filter { it.first.isNotEmpty() }
        .groupBy { it.first[0] }
        .mapValues { (_, v) -> v.sortedByDescending { it.first.size } }
    private val empty = byFirst.isEmpty()

    /** Leftmost-longest non-overlapping match at or after [from], before [to]. */
    private fun find(hay: IntArray, from: Int, to: Int): Triple<Int, Int, AddedToken>? {
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

    /** AddedVocabulary::find_matches + split_with_indices over normalized[from, to). */
    fun split(n: Normalized, from: Int, to: Int): List<Split> {
        val out = ArrayList<Split>()
        fun piece(s: Int, e: Int, tok: AddedToken?) {
            if (s >= e) return // empty splits are dropped
            if (tok == null) {
                out.add(Split(n, s, e, null))
            } else {
                val value = buildString { for (k in s until e) appendCodePoint(n.cps[k]) }
                out.add(Split(n, s, e, listOf(Tok(tok.id, value, n.align[s], n.alignEnd[e - 1]))))
            }
        }
        if (empty) { piece(from, to, null); return out }
        val hay = n.cps
        var startOffset = from
        var searchFrom = from
        while (true) {
            val m = find(hay, searchFrom, to) ?: break
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
}
