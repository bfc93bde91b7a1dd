package dev.edgepack.kit

/** An entity span: its type (label without B-/I-), [start, end) in code points of the text, its score and text. */
data class Entity(val label: String, val start: Int, val end: Int, val score: Double, val text: String)

/**
 * Token classification (NER), manifest kind "token-classification": per-token label scores -> entity
 * spans, following `task.postprocessing` (skip_tokens, word_pieces, grouping, span, score). The Python
 * reference is `aggregate_entities` in builder/tasks/token_classification.py.
 */
object TokenClassification {
    const val KIND = "token-classification"

    /** The entities of [text], from the model's outputs for its [encoding] (padded or not). */
    fun entities(outputs: Map<String, FloatArray>, manifest: BundleManifest, text: String, encoding: Encoding): List<Entity> =
        entities(outputs, manifest, text, encoding.attentionMask, encoding.offsets, encoding.wordIds)

    /** [wordIds]: -1 for a token without a word (special tokens, padding). */
    fun entities(
        outputs: Map<String, FloatArray>, manifest: BundleManifest, text: String,
        attentionMask: IntArray, offsets: Array<IntArray>, wordIds: IntArray,
    ): List<Entity> {
        val spec = manifest.postprocessing
        require(spec["kind"] == KIND) { "not a token-classification bundle: ${spec["kind"]}" }
        val labels = spec["labels"].list().map { it.str() }
        val outside = spec["outside_label"].str()
        val strategy = spec["word_pieces"].obj()["strategy"].str()
        require(strategy == "first" || strategy == "simple") { "unknown word-piece strategy $strategy" }
        val name = spec["read_output"].str()
        val values = outputs[name] ?: throw IllegalArgumentException("the model produced no output named $name")
        val tokens = attentionMask.size
        require(values.size == tokens * labels.size) { "output $name has ${values.size} values for $tokens tokens x ${labels.size} labels" }
        val softmax = spec["apply_softmax"] == true

        // Words: runs of tokens with the same word id ("first"), or every token alone ("simple").
        val units = ArrayList<MutableList<Int>>()
        for (i in 0 until tokens) {
            if (attentionMask[i] == 0 || wordIds[i] < 0) continue
            val last = units.lastOrNull()
            if (strategy == "first" && last != null && wordIds[last.last()] == wordIds[i]) last.add(i) else units.add(mutableListOf(i))
        }
        // Each word takes the label and score of its first token.
        class Word(val label: String, val score: Double, val start: Int, val end: Int)
        val words = units.map { unit ->
            val first = unit.first()
            val row = first * labels.size
            val scores = if (softmax) Postprocess.softmax(values, row, row + labels.size)
                         else DoubleArray(labels.size) { values[row + it].toDouble() }
            var best = 0
            for (k in 1 until labels.size) if (scores[k] > scores[best]) best = k
            Word(labels[best], scores[best], offsets[first][0], offsets[unit.last()][1])
        }
        val groups = ArrayList<MutableList<Word>>()
        for (word in words) {
            val (prefix, type) = splitTag(word.label)
            val current = groups.lastOrNull()
            if (current != null && prefix != "B" && splitTag(current.last().label).second == type) current.add(word)
            else groups.add(mutableListOf(word))
        }
        return groups.mapNotNull { group ->
            val type = splitTag(group.first().label).second
            if (type == outside) return@mapNotNull null
            val start = group.first().start
            val end = group.last().end
            Entity(type, start, end, group.sumOf { it.score } / group.size, TextSpans.slice(text, start, end))
        }
    }

    /** "B-PER" -> (B, PER), "I-PER" -> (I, PER); a label without a prefix continues (I). */
    fun splitTag(label: String): Pair<String, String> = when {
        label.startsWith("B-") -> "B" to label.substring(2)
        label.startsWith("I-") -> "I" to label.substring(2)
        else -> "I" to label
    }
}
