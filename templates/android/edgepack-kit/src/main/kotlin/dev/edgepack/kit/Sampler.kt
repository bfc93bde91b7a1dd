package dev.edgepack.kit

import java.util.PriorityQueue
import kotlin.math.exp

/**
 * How the next token is chosen. The defaults are the checkpoint's generation_config.json (manifest
 * `task.postprocessing.generation`); `repetition_penalty` is not applied (neither does `edgepack chat`).
 */
class SamplingConfig(
    /** False: greedy, the best token (ties: the lowest id). */
    val doSample: Boolean = false,
    val temperature: Double = 1.0,
    /** Draw among the [topK] best tokens only (0: the whole vocabulary). */
    val topK: Int = 50,
    /** Then among the smallest set of those whose probability reaches [topP] (1: no cut). */
    val topP: Double = 1.0,
    /** The same seed gives the same draws, here, in the Swift kit and in `edgepack chat --seed`. */
    val seed: Long = 0,
) {
    val greedy: Boolean get() = !doSample || temperature <= 0.0

    fun with(doSample: Boolean = this.doSample, temperature: Double = this.temperature, topK: Int = this.topK,
             topP: Double = this.topP, seed: Long = this.seed) = SamplingConfig(doSample, temperature, topK, topP, seed)

    companion object {
        /** The bundle's generation defaults (generation_config.json's, transformers' where it is silent). */
        fun defaults(generation: Map<String, Any?>, seed: Long = 0): SamplingConfig = SamplingConfig(
            doSample = generation["do_sample"] == true,
            temperature = (generation["temperature"] as? Number)?.toDouble() ?: 1.0,
            topK = (generation["top_k"] as? Number)?.toInt() ?: 50,
            topP = (generation["top_p"] as? Number)?.toDouble() ?: 1.0,
            seed = seed,
        )
    }
}

/**
 * Chooses tokens from logits rows. Sampling: the [SamplingConfig.topK] best ids (by logit, ties by id),
 * softmax of logits / temperature over them in double precision, cut to the shortest prefix whose
 * cumulative probability reaches top_p and renormalised, then one uniform draw u in [0, 1) from
 * SplitMix64 picks the first id whose cumulative probability exceeds u. `edgepack chat` (builder/sampling.py,
 * `Sampling`) does exactly this, so a seed gives the same reply on the host as in the app (up to exp()'s
 * last-bit differences between platforms, which move a draw only when it falls on a boundary).
 */
class Sampler(val config: SamplingConfig) {
    private val random = SplitMix64(config.seed)

    fun choose(logits: FloatArray): Int = if (config.greedy) argmax(logits) else draw(logits)

    private fun draw(logits: FloatArray): Int {
        val order = ranked(logits, config.topK)
        val scaled = DoubleArray(order.size) { logits[order[it]].toDouble() / config.temperature }
        val peak = scaled.maxOrNull() ?: throw IllegalArgumentException("empty logits row")
        val weights = DoubleArray(scaled.size) { exp(scaled[it] - peak) }
        val total = weights.sum()
        var probabilities = DoubleArray(weights.size) { weights[it] / total }
        if (config.topP < 1.0) {
            var cumulative = 0.0
            var keep = probabilities.size
            for (i in probabilities.indices) {
                cumulative += probabilities[i]
                if (cumulative >= config.topP) { keep = i + 1; break }
            }
            val kept = probabilities.copyOf(keep)
            val sum = kept.sum()
            probabilities = DoubleArray(keep) { kept[it] / sum }
        }
        val u = random.nextDouble()
        var cumulative = 0.0
        for (i in probabilities.indices) {
            cumulative += probabilities[i]
            if (u < cumulative) return order[i]
        }
        return order[probabilities.size - 1]
    }

    companion object {
        /** The best id of [logits]; ties go to the lowest id (numpy's argmax, the Python reference's). */
        fun argmax(logits: FloatArray): Int {
            require(logits.isNotEmpty()) { "empty logits row" }
            var best = 0
            for (i in 1 until logits.size) if (logits[i] > logits[best]) best = i
            return best
        }

        /** The ids of the [k] best logits (all when k <= 0), best first, ties by the lower id. */
        fun ranked(logits: FloatArray, k: Int): IntArray {
            val better = Comparator<Int> { a, b -> if (logits[a] != logits[b]) logits[b].compareTo(logits[a]) else a.compareTo(b) }
            if (k <= 0 || k >= logits.size) return logits.indices.sortedWith(better).toIntArray()
            // A heap of the k best so far, worst on top: O(vocab log k) per token instead of sorting the vocabulary.
            val heap = PriorityQueue(k, better.reversed())
            for (i in logits.indices) {
                if (heap.size < k) heap.add(i) else if (better.compare(i, heap.peek()) < 0) { heap.poll(); heap.add(i) }
            }
            return heap.sortedWith(better).toIntArray()
        }
    }
}

/** SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose stream is easy to reproduce in any language. */
internal class SplitMix64(seed: Long) {
    private var state = seed

    fun nextLong(): Long {
        state += -0x61c8864680b583ebL // 0x9E3779B97F4A7C15
        var z = state
        z = (z xor (z ushr 30)) * -0x40a7b892e31b1a47L // 0xBF58476D1CE4E5B9
        z = (z xor (z ushr 27)) * -0x6b2fb644ecceee15L // 0x94D049BB133111EB
        return z xor (z ushr 31)
    }

    /** Uniform in [0, 1): the top 53 bits. */
    fun nextDouble(): Double = (nextLong() ushr 11) * (1.0 / (1L shl 53))
}
