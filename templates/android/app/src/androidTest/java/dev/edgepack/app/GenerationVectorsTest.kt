package dev.edgepack.app

import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import dev.edgepack.kit.ChatMessage
import dev.edgepack.kit.GenerationSpec
import dev.edgepack.kit.Json
import dev.edgepack.kit.Sampler
import dev.edgepack.kit.SamplingConfig
import dev.edgepack.kit.generate
import dev.edgepack.kit.promptIds
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith

/**
 * On the device, a text-generation bundle's test vectors through the .pte on this phone's ExecuTorch runtime:
 * each prompt tokenized by the kit must give the build-time ids; greedy generation through the program's cache
 * must give the eager model's continuation id for id where the variant was verified to (min_greedy_match 1:
 * fp32), and the share of vectors that do must reach the variant's gate otherwise; read teacher-forced, the
 * share of positions whose best token is the reference's must reach the variant's min_next_token_agreement.
 */
@RunWith(AndroidJUnit4::class)
class GenerationVectorsTest {
    @Test
    fun vectorsGenerateOnTheDeviceAsAtBuildTime() {
        val context = InstrumentationRegistry.getInstrumentation().targetContext
        val model = EdgepackModel.load(context)
        val spec = GenerationSpec.of(model.manifest)
        val language = model.languageModel()
        @Suppress("UNCHECKED_CAST")
        val root = Json.parse(context.assets.open("test_vectors.json").bufferedReader().use { it.readText() }) as Map<String, Any?>
        @Suppress("UNCHECKED_CAST")
        val vectors = root["vectors"] as List<Map<String, Any?>>
        var matched = 0
        var positions = 0
        var agreeing = 0
        val divergences = ArrayList<String>()
        for (vector in vectors) {
            val text = vector["text"] as String
            val ids = ints(vector["input_ids"])
            val promptLength = (vector["prompt_length"] as Number).toInt()
            val prompt = ids.copyOf(promptLength)
            @Suppress("UNCHECKED_CAST")
            val messages = (vector["messages"] as List<List<String>>?)?.map { ChatMessage(it[0], it[1]) }
            val encoded = if (messages != null) promptIds(model.tokenizer, spec.promptFormat, messages) else model.tokenizer.encode(text).ids
            assertArrayEquals("prompt ids of \"$text\"", prompt, encoded.copyOf(minOf(encoded.size, promptLength)))

            val expected = ids.copyOfRange(promptLength, ids.size)
            val generated = generate(language, prompt, expected.size, Sampler(SamplingConfig()), maxSeqLen = spec.maxSeqLen)
            val first = expected.indices.firstOrNull { it >= generated.size || generated[it] != expected[it] }
            if (first == null) matched++ else divergences.add("\"$text\": first divergent token $first of ${expected.size}")

            @Suppress("UNCHECKED_CAST")
            val best = (vector["top_ids"] as List<List<Number>>).map { it[0].toInt() }
            val logits = language.logits(ids, 0)
            for (position in ids.indices) {
                positions++
                if (Sampler.argmax(logits.copyOfRange(position * spec.vocabSize, (position + 1) * spec.vocabSize)) == best[position]) agreeing++
            }
        }
        val limits = model.variant.thresholds
        val greedyMatch = matched.toDouble() / vectors.size
        val agreement = agreeing.toDouble() / positions
        if ((limits["min_greedy_match"] ?: 1.0) >= 1.0) {
            assertTrue("greedy continuations differ from the build's: $divergences", divergences.isEmpty())
        }
        assertTrue("greedy match $greedyMatch < the variant's gate ${limits["min_greedy_match"]} ($divergences)",
                   greedyMatch >= (limits["min_greedy_match"] ?: 1.0))
        assertTrue("next-token agreement $agreement < the variant's gate ${limits["min_next_token_agreement"]} " +
                   "(measured at build time: ${model.variant.figures["next_token_agreement"]})",
                   agreement >= (limits["min_next_token_agreement"] ?: 1.0))
        model.close()
    }

    private fun ints(value: Any?): IntArray = (value as List<*>).map { (it as Number).toInt() }.toIntArray()
}
