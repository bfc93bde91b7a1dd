package dev.edgepack.kit

/** A candidate for one mask: its probability, token id, the token as text, and the sentence it completes. */
data class Candidate(val score: Double, val token: Int, val tokenStr: String, val sequence: String)

/** The candidates for the mask at sequence position [position], best first. */
data class MaskPrediction(val position: Int, val candidates: List<Candidate>)

/**
 * Fill-mask, manifest kind "fill-mask": the vocabulary's scores at each mask token -> the top_k
 * candidates, following `task.postprocessing` (rows, softmax, candidates, token_str, sequence). The
 * Python reference is `fill_mask` in builder/tasks/fill_mask.py (transformers' fill-mask pipeline).
 */
object FillMask {
    const val KIND = "fill-mask"

    /** One prediction per mask token of [inputIds] (padded or not), from the model's outputs for them. */
    fun predict(
        outputs: Map<String, FloatArray>, manifest: BundleManifest, inputIds: IntArray, attentionMask: IntArray,
        tokenizer: Tokenizer,
    ): List<MaskPrediction> {
        val spec = manifest.postprocessing
        require(spec["kind"] == KIND) { "not a fill-mask bundle: ${spec["kind"]}" }
        val maskId = spec["mask_token_id"].long().toInt()
        val topK = spec["top_k"].long().toInt()
        val name = spec["read_output"].str()
        val logits = outputs[name] ?: throw IllegalArgumentException("the model produced no output named $name")
        require(logits.size % inputIds.size == 0) { "output $name has ${logits.size} values for ${inputIds.size} tokens" }
        val vocab = logits.size / inputIds.size
        val positions = inputIds.indices.filter { inputIds[it] == maskId && attentionMask[it] == 1 }
        val single = positions.size == 1
        return positions.map { position ->
            val row = position * vocab
            val probabilities = if (spec["apply_softmax"] == true) Postprocess.softmax(logits, row, row + vocab)
                                else DoubleArray(vocab) { logits[row + it].toDouble() }
            MaskPrediction(position, best(probabilities, topK).map { token ->
                val filled = inputIds.copyOf().also { it[position] = token }.filter { it != manifest.padTokenId }.toIntArray()
                Candidate(probabilities[token], token, tokenizer.decode(intArrayOf(token), skipSpecialTokens = false),
                          tokenizer.decode(filled, skipSpecialTokens = single))
            })
        }
    }

    /** The text that marks where a word is missing (the manifest's mask_token, e.g. [MASK]). */
    fun maskToken(manifest: BundleManifest): String {
        require(manifest.postprocessing["kind"] == KIND) { "not a fill-mask bundle: ${manifest.postprocessing["kind"]}" }
        return manifest.postprocessing["mask_token"].str()
    }

    /** The [k] ids with the highest probability, best first; equal ones by lower id. */
    fun best(probabilities: DoubleArray, k: Int): List<Int> =
        probabilities.indices.sortedWith(compareByDescending<Int> { probabilities[it] }.thenBy { it }).take(k)
}
