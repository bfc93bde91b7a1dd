package dev.edgepack.kit

/**
 * Unigram (tokenizer.json `model.type` "Unigram", SentencePiece's model): the segmentation of
 * each word with the highest total score (Viterbi over every vocabulary piece that starts at
 * each character), as `Unigram::encode_optimized` finds it. A character no piece covers costs
 * the lowest score minus 10 and becomes the unknown token; consecutive unknown characters are
 * one token. With byte_fallback an unknown piece becomes its UTF-8 bytes (`<0x41>`) when the
 * vocabulary has all of them.
 */
internal class UnigramModel(
    private val pieces: List<String>,
    private val scores: DoubleArray,
    private val unkId: Int?,
    private val byteFallback: Boolean,
) : TokenizerModel {
    override val vocab: Map<String, Int> = HashMap<String, Int>(pieces.size * 2).also { m -> pieces.forEachIndexed { i, p -> m[p] = i } }
    private val maxPieceLength = pieces.maxOfOrNull { codePoints(it).size } ?: 0
    private val unkScore = (scores.minOrNull() ?: 0.0) - 10.0

    override fun tokenize(word: Split): List<Tok> {
        val cps = word.normalized.cps
        val n = word.end - word.start
        if (n <= 0) return emptyList()
        fun text(from: Int, to: Int) = buildString { for (k in from until to) appendCodePoint(cps[word.start + k]) }

        // best[k]: the best segmentation of the first k characters: its score, where its last piece starts, that piece's id.
        val score = DoubleArray(n + 1)
        val from = IntArray(n + 1) { -1 }
        val id = IntArray(n + 1)
        for (start in 0 until n) {
            val base = score[start]
            var single = false
            for (length in 1..minOf(maxPieceLength, n - start)) {
                val piece = vocab[text(start, start + length)] ?: continue
                val candidate = base + scores[piece]
                val end = start + length
                if (from[end] < 0 || candidate > score[end]) { score[end] = candidate; from[end] = start; id[end] = piece }
                if (length == 1) single = true
            }
            if (!single && unkId != null) {
                val unk: Int = unkId
                val candidate = base + unkScore
                if (from[start + 1] < 0 || candidate > score[start + 1]) { score[start + 1] = candidate; from[start + 1] = start; id[start + 1] = unk }
            }
        }

        // Back from the end; consecutive unknown pieces fuse into one.
        val spans = ArrayList<IntArray>()
        var end = n
        while (end > 0) {
            val start = from[end]
            if (start < 0) return emptyList() // no unk_id and a character no piece covers: `tokenizers` fails here
            val last = spans.lastOrNull()
            if (id[end] == unkId && last != null && last[2] == 1 && last[0] == end) last[0] = start
            else spans.add(intArrayOf(start, end, if (id[end] == unkId) 1 else 0))
            end = start
        }
        spans.reverse()

        val align = word.normalized.align
        val alignEnd = word.normalized.alignEnd
        val out = ArrayList<Tok>(spans.size)
        for ((a, b, _) in spans) {
            val piece = text(a, b)
            val start = align[word.start + a]
            val stop = alignEnd[word.start + b - 1]
            val known = vocab[piece]
            if (known != null) { out.add(Tok(known, piece, start, stop)); continue }
            if (byteFallback) {
                val bytes = utf8(codePoints(piece)).map { "<0x%02X>".format(it.toInt() and 0xFF) }
                if (bytes.all { it in vocab }) { bytes.forEach { out.add(Tok(vocab[it]!!, it, start, stop)) }; continue }
            }
            unkId?.let { out.add(Tok(it, piece, start, stop)) }
        }
        return out
    }

    companion object {
        fun fromJson(model: Map<*, *>): UnigramModel {
            val entries = model["vocab"] as? List<*> ?: throw UnsupportedTokenizerException("Unigram model has no vocab")
            val pieces = ArrayList<String>(entries.size)
            val scores = DoubleArray(entries.size)
            entries.forEachIndexed { i, e ->
                val pair = e as? List<*> ?: throw UnsupportedTokenizerException("Unigram vocab entry $i is not [piece, score]")
                pieces.add(pair.getOrNull(0) as? String ?: throw UnsupportedTokenizerException("Unigram vocab entry $i has no piece"))
                scores[i] = (pair.getOrNull(1) as? Number)?.toDouble() ?: throw UnsupportedTokenizerException("Unigram vocab entry $i has no score")
            }
            val unkId = model["unk_id"]?.let { intValue(it, "Unigram unk_id") }
            if (unkId != null && unkId !in pieces.indices) throw UnsupportedTokenizerException("Unigram unk_id $unkId is not in the vocab")
            return UnigramModel(pieces, scores, unkId, model["byte_fallback"] as? Boolean ?: false)
        }
    }
}
