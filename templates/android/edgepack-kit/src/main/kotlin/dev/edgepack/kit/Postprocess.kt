package dev.edgepack.kit

import kotlin.math.exp

/** One label and its probability. */
data class LabelScore(val label: String, val probability: Float)

/**
 * Single-label classification (manifest kind "single-label-classification"), and the softmax the other
 * tasks' files share: the model's outputs into an answer, as the manifest's `task.postprocessing` says.
 * Plain Kotlin, like every post-processing file, so that it is unit-tested on the JVM with the bundle's
 * own test vectors.
 */
object Postprocess {
    /** All labels, most probable first. */
    fun classify(outputs: Map<String, FloatArray>, manifest: BundleManifest): List<LabelScore> {
        val spec = manifest.postprocessing
        val kind = spec["kind"].str()
        require(kind == "single-label-classification") { "this app shell handles single-label-classification, not $kind" }
        val name = spec["read_output"].str()
        val values = outputs[name] ?: throw IllegalArgumentException("the model produced no output named $name")
        require(values.size == manifest.labels.size) { "output $name has ${values.size} values for ${manifest.labels.size} labels" }
        val probabilities = if (spec["apply_softmax"] == true) softmax(values) else values
        return manifest.labels.indices
            .map { LabelScore(manifest.labels[it], probabilities[it]) }
            .sortedByDescending { it.probability }
    }

    /** Softmax of `values[from until to]` in Double, as the Python reference computes it (float64). */
    fun softmax(values: FloatArray, from: Int, to: Int): DoubleArray {
        var largest = Double.NEGATIVE_INFINITY
        for (i in from until to) largest = maxOf(largest, values[i].toDouble())
        val exps = DoubleArray(to - from) { exp(values[from + it] - largest) }
        val sum = exps.sum()
        return DoubleArray(exps.size) { exps[it] / sum }
    }

    fun softmax(logits: FloatArray): FloatArray {
        val max = logits.maxOrNull() ?: return logits
        val exps = logits.map { exp((it - max).toDouble()) }
        val sum = exps.sum()
        return FloatArray(logits.size) { (exps[it] / sum).toFloat() }
    }
}
