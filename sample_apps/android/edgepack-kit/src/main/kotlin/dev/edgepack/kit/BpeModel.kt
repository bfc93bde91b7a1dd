package dev.edgepack.kit

/**
 * BPE (tokenizer.json `model.type` "BPE"), without dropout; byte_fallback spells a character
 * missing from the vocabulary as its UTF-8 bytes (`<0xE2>`) when the vocabulary has them all.
 * [merges]: (left id, right id) packed by [key] -> (rank shl 32) or new id.
 */
internal class BpeModel(
    override val vocab: Map<String, Int>,
    private val merges: Map<Long, Long>,
    val unkToken: String?,
    val prefix: String?,
    val suffix: String?,
    val fuseUnk: Boolean,
    val ignoreMerges: Boolean,
    val byteFallback: Boolean,
) : TokenizerModel {
    private val reverse: Map<Int, String> = HashMap<Int, String>(vocab.size * 2).also { r -> vocab.forEach { (k, v) -> r[v] = k } }

    fun token(id: Int): String = reverse[id] ?: ""

    /**
     * BPE::tokenize (no dropout): ignore_merges, then merge_word (per-character vocab lookup
     * with continuing_subword_prefix / end_of_word_suffix, unk and fuse_unk; a character
     * without a vocab entry and no unk_token is dropped, and as in `tokenizers` the offsets
     * of what follows are not shifted for it), then Word::merge_all.
     */
    override fun tokenize(word: Split): List<Tok> {
        val cps = word.normalized.cps
        val align = word.normalized.align
        val alignEnd = word.normalized.alignEnd
        val n = word.end - word.start
        if (n <= 0) return emptyList()
        fun text(from: Int, to: Int) = buildString { for (k in from until to) appendCodePoint(cps[k]) }
        if (ignoreMerges) {
            val whole = text(word.start, word.end)
            vocab[whole]?.let { return listOf(Tok(it, whole, align[word.start], alignEnd[word.end - 1])) }
        }
        // Symbol lengths are UTF-8 bytes, as in `tokenizers`: a byte_fallback token is one byte of
        // a character, and takes that whole character's offsets.
        val ids = IntArrayBuilder(n)
        val lens = IntArrayBuilder(n)
        var unkId = -1
        var unkLen = 0
        for (k in 0 until n) {
            val c = cps[word.start + k]
            val bytes = utf8Length(intArrayOf(c))
            var s = text(word.start + k, word.start + k + 1)
            if (k > 0 && prefix != null) s = prefix + s
            if (k == n - 1 && suffix != null) s += suffix
            val id = vocab[s]
            if (id != null) {
                if (unkId >= 0) { ids.add(unkId); lens.add(unkLen); unkId = -1 }
                ids.add(id); lens.add(bytes)
                continue
            }
            if (byteFallback) {
                // As `tokenizers` does, an unknown character still pending is not flushed first.
                val byteIds = utf8(codePoints(s)).map { vocab["<0x%02X>".format(it.toInt() and 0xFF)] }
                if (byteIds.all { it != null }) { byteIds.forEach { ids.add(it!!); lens.add(1) }; continue }
            }
            if (unkToken != null) {
                if (unkId >= 0 && fuseUnk) {
                    unkLen += bytes
                } else {
                    if (unkId >= 0) { ids.add(unkId); lens.add(unkLen) }
                    unkId = vocab[unkToken]!!; unkLen = bytes
                }
            }
        }
        if (unkId >= 0) { ids.add(unkId); lens.add(unkLen) }
        val (symbols, lengths) = mergeAll(ids.toArray(), lens.toArray())
        // The character each byte of the word belongs to.
        val charOfByte = IntArrayBuilder(n * 2)
        for (k in 0 until n) repeat(utf8Length(intArrayOf(cps[word.start + k]))) { charOfByte.add(word.start + k) }
        val owner = charOfByte.toArray()
        val out = ArrayList<Tok>(symbols.size)
        var pos = 0
        for (k in symbols.indices) {
            val end = pos + lengths[k]
            // A dropped character (no vocab entry, no unk) leaves the offsets of what follows unshifted.
            val first = owner[minOf(pos, owner.size - 1)]
            val last = owner[minOf(end - 1, owner.size - 1)]
            out.add(Tok(symbols[k], token(symbols[k]), align[first], alignEnd[last]))
            pos = end
        }
        return out
    }

    companion object {
        fun key(a: Int, b: Int): Long = (a.toLong() shl 32) or (b.toLong() and 0xFFFFFFFFL)

        fun fromJson(model: Map<*, *>): BpeModel {
            val dropout = model["dropout"]
            if (dropout != null && (dropout !is Number || dropout.toDouble() != 0.0)) {
                throw UnsupportedTokenizerException("unsupported BPE dropout $dropout: only null or 0 is supported")
            }
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
                merges[key(aId, bId)] = (rank.toLong() shl 32) or (newId.toLong() and 0xFFFFFFFFL)
            }
            return BpeModel(
                vocab = vocab,
                merges = merges,
                unkToken = unk,
                prefix = prefix,
                suffix = suffix,
                fuseUnk = model["fuse_unk"] as? Boolean ?: false,
                ignoreMerges = model["ignore_merges"] as? Boolean ?: false,
                byteFallback = model["byte_fallback"] as? Boolean ?: false,
            )
        }
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
