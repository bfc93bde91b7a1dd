package dev.edgepack.kit

import kotlin.math.sqrt

/** A sentence and its cosine similarity to the query. */
data class Match(val sentence: String, val score: Double)

/**
 * Sentence embeddings, manifest kind "sentence-embedding": the model's output is the final vector
 * (pooling and normalisation are in the graph); a search ranks sentences by cosine similarity to a
 * query, as `present` in builder/tasks/feature_extraction.py does.
 */
object SentenceEmbedding {
    const val KIND = "sentence-embedding"

    /** The embedding the manifest's `read_output` names. */
    fun embedding(outputs: Map<String, FloatArray>, manifest: BundleManifest): FloatArray {
        val spec = manifest.postprocessing
        require(spec["kind"] == KIND) { "not a sentence-embedding bundle: ${spec["kind"]}" }
        val name = spec["read_output"].str()
        val values = outputs[name] ?: throw IllegalArgumentException("the model produced no output named $name")
        val dimension = spec["dimension"]
        require(dimension == null || values.size.toLong() == dimension.long()) { "output $name has ${values.size} values, not $dimension" }
        return values
    }

    /** Dot product over both lengths, in Double; a zero vector scores 0 instead of dividing by zero. */
    fun cosine(a: FloatArray, b: FloatArray): Double {
        require(a.size == b.size) { "embeddings of ${a.size} and ${b.size} values" }
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        for (i in a.indices) {
            dot += a[i].toDouble() * b[i]
            normA += a[i].toDouble() * a[i]
            normB += b[i].toDouble() * b[i]
        }
        return dot / maxOf(sqrt(normA) * sqrt(normB), 1e-30)
    }

    /** [sentences] by cosine similarity to [query], best first (equal scores keep their order). */
    fun rank(query: FloatArray, sentences: List<Pair<String, FloatArray>>): List<Match> =
        sentences.map { (sentence, embedding) -> Match(sentence, cosine(query, embedding)) }.sortedByDescending { it.score }

    /** The sentences the search starts with: `sentences` of the app's task_data.json. */
    fun sentences(taskDataJson: String): List<String> = Json.parse(taskDataJson).obj()["sentences"].list().map { it.str() }
}
