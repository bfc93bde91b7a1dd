package dev.edgepack.kit

/** The answer: its first and last token (inclusive), [start, end) in code points of the context, score and text. */
data class AnswerSpan(val tokenStart: Int, val tokenEnd: Int, val start: Int, val end: Int, val score: Double, val text: String)

/**
 * Extractive question answering, manifest kind "extractive-question-answering": start and end scores per
 * token -> the best span of the context, following `task.postprocessing` (candidates, probabilities,
 * decision, answer). The Python reference is `best_span` in builder/tasks/question_answering.py.
 */
object QuestionAnswering {
    const val KIND = "extractive-question-answering"
    // The manifest's `probabilities` rule: tokens outside the softmax count as this logit.
    private const val EXCLUDED_LOGIT = -10000.0
    private const val CONTEXT = 1

    /**
     * The best answer in [context], or null when no context token is left (all cut away). [sequenceIds]:
     * 0 for the question's tokens, 1 for the context's, -1 for special tokens and padding.
     */
    fun answer(
        outputs: Map<String, FloatArray>, manifest: BundleManifest, context: String,
        attentionMask: IntArray, sequenceIds: IntArray, offsets: Array<IntArray>,
    ): AnswerSpan? {
        val spec = manifest.postprocessing
        require(spec["kind"] == KIND) { "not a question-answering bundle: ${spec["kind"]}" }
        val (startName, endName) = spec["read_outputs"].list().map { it.str() }
        val maxTokens = spec["max_answer_tokens"].long().toInt()
        val n = attentionMask.size
        val candidate = BooleanArray(n) { attentionMask[it] == 1 && sequenceIds[it] == CONTEXT }
        if (candidate.none { it }) return null
        val inSoftmax = BooleanArray(n) { candidate[it] || (it == 0 && attentionMask[0] == 1) }
        val pStart = probabilities(output(outputs, startName, n), inSoftmax)
        val pEnd = probabilities(output(outputs, endName, n), inSoftmax)
        pStart[0] = 0.0
        pEnd[0] = 0.0
        // Row-major first maximum, as numpy's argmax over the start x end matrix picks it.
        var best = 0.0
        var first = 0
        var last = 0
        for (s in 0 until n) {
            if (!candidate[s]) continue
            for (e in s until minOf(n, s + maxTokens)) {
                if (!candidate[e]) continue
                val score = pStart[s] * pEnd[e]
                if (score > best) { best = score; first = s; last = e }
            }
        }
        if (!(candidate[first] && candidate[last])) return null
        val start = offsets[first][0]
        val end = offsets[last][1]
        return AnswerSpan(first, last, start, end, best, TextSpans.slice(context, start, end))
    }

    /**
     * Which text each token of a (question, context) [encoding] came from, as tokenizers'
     * `Encoding.sequence_ids` gives it: the first [questionTokens] tokens that have a word are the
     * question's (the question alone, encoded, has that many), the other worded tokens the context's.
     */
    fun sequenceIds(encoding: Encoding, questionTokens: Int): IntArray {
        var seen = 0
        return IntArray(encoding.ids.size) { i ->
            when {
                encoding.wordIds[i] < 0 -> -1
                seen++ < questionTokens -> 0
                else -> CONTEXT
            }
        }
    }

    /** The number of tokens with a word in [question] encoded alone: see [sequenceIds]. */
    fun questionTokens(tokenizer: Tokenizer, question: String): Int = tokenizer.encode(question).wordIds.count { it >= 0 }

    private fun output(outputs: Map<String, FloatArray>, name: String, tokens: Int): FloatArray {
        val values = outputs[name] ?: throw IllegalArgumentException("the model produced no output named $name")
        require(values.size == tokens) { "output $name has ${values.size} values for $tokens tokens" }
        return values
    }

    private fun probabilities(logits: FloatArray, inSoftmax: BooleanArray): DoubleArray {
        val masked = FloatArray(logits.size) { if (inSoftmax[it]) logits[it] else EXCLUDED_LOGIT.toFloat() }
        return Postprocess.softmax(masked, 0, masked.size)
    }
}
