package dev.edgepack.kit

import java.io.File
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * Replays a text-generation bundle's test vectors through the chat kit on the JVM: the prompts' ids
 * (plain and chat-formatted) must be the ones Hugging Face gave at build time; greedy generation over
 * the recorded logits must give the eager model's continuation, id for id, through the kit's own loop
 * (prompt at position 0, then one token per call); streaming it must give the recorded text; a chat
 * turn must stop where the stop rules say; and the sampler must draw what `edgepack chat`'s does.
 */
class GenerationReplayTest {
    private val assets = File(System.getProperty("edgepack.assets") ?: "app/src/main/assets")
    private val tokenizer = Tokenizer.fromJson(File(assets, "tokenizer.json").readText())
    private val manifest = BundleManifest.fromJson(File(assets, "manifest.json").readText())
    private val spec = GenerationSpec.of(manifest)
    private val vectors = Json.parse(File(assets, "test_vectors.json").readText()).obj()["vectors"].list().map { it.obj() }

    @Test
    fun promptsTokenizeToTheBuildTimeIds() {
        for (vector in vectors) {
            val expected = prompt(vector)
            val messages = vector["messages"]?.list()?.map { ChatMessage(it.list()[0].str(), it.list()[1].str()) }
            val ids = if (messages != null) promptIds(tokenizer, spec.promptFormat, messages)
                      else tokenizer.encode(vector["text"].str()).ids
            // The build keeps at most max_seq_len - 1 prompt tokens of a long sample text.
            val kept = if (messages == null && ids.size > expected.size && expected.size == manifest.maxSeqLen - 1) ids.copyOf(expected.size) else ids
            assertArrayEquals("prompt ids of \"${vector["text"]}\"", expected, kept)
        }
    }

    @Test
    fun greedyGenerationOverTheRecordedLogitsGivesTheReferenceContinuation() {
        for (vector in vectors) {
            val expected = continuation(vector)
            val model = RecordedModel(vector)
            val generated = generate(model, prompt(vector), expected.size, Sampler(SamplingConfig()), maxSeqLen = spec.maxSeqLen)
            assertArrayEquals("greedy continuation of \"${vector["text"]}\"", expected, generated)
            assertEquals("model calls for \"${vector["text"]}\"", expected.size, model.calls)
            // Streamed one token at a time, the pieces make the recorded text; none ends inside a character.
            val streamer = TextStreamer(tokenizer)
            val pieces = generated.map { streamer.add(it) } + streamer.flush()
            assertEquals("streamed text of \"${vector["text"]}\"", vector["expected_answer"].str(), pieces.joinToString(""))
            assertEquals(tokenizer.decode(generated), streamer.text)
            if ('\uFFFD' !in streamer.text) assertTrue(pieces.none { '\uFFFD' in it })
        }
    }

    @Test
    fun aChatTurnStopsAtTheEndOfTurnAndKeepsTheReply() {
        val chat = vectors.firstOrNull { it["messages"] != null } ?: vectors.first()
        val continuation = continuation(chat)
        val session = ChatSession(RecordedModel(chat), tokenizer, spec, SamplingConfig(), maxNewTokens = continuation.size)
        val streamed = StringBuilder()
        val reply = session.send(chat["text"].str(), onText = { streamed.append(it) })
        // What the stop rules leave of the recorded continuation: up to the first end-of-turn id, then up to the
        // end-of-turn text.
        val end = continuation.indexOfFirst { it in spec.eosTokenIds }
        val kept = if (end >= 0) continuation.copyOf(end) else continuation
        var text = tokenizer.decode(kept)
        val stopText = spec.promptFormat?.endOfTurnText.orEmpty()
        if (stopText.isNotEmpty() && stopText in text) text = text.substring(0, text.indexOf(stopText))
        assertEquals(text, reply.text)
        assertEquals(text, streamed.toString())
        assertEquals(prompt(chat).size, reply.promptTokens)
        assertTrue(kept.toList().take(reply.tokenIds.size) == reply.tokenIds.toList())
        val why = when {
            stopText.isNotEmpty() && stopText in tokenizer.decode(kept) -> StopReason.END_OF_TURN_TEXT
            end >= 0 -> StopReason.END_OF_TURN_ID
            else -> StopReason.MAX_NEW_TOKENS
        }
        assertEquals(why, reply.stoppedBy)
        assertEquals(listOf(ChatMessage.USER, ChatMessage.ASSISTANT), session.messages.map { it.role })
    }

    @Test
    fun aConversationOutgrowingTheCacheDropsItsOldestTurnsAndRefusesAMessageTooLong() {
        // A cache of 64 positions and replies of at most 8 tokens (the reply's room: 8); the model answers one
        // token, then an end-of-turn id.
        val small = GenerationSpec(spec.vocabSize, spec.bosTokenId, spec.eosTokenIds, 64, spec.promptFormat, SamplingConfig(), 8)
        val end = spec.eosTokenIds.firstOrNull() ?: return assertTrue("the bundle has no end-of-turn id", false)
        val prompts = ArrayList<IntArray>()
        val model = object : LanguageModel {
            override fun nextLogits(tokens: IntArray, start: Int): FloatArray {
                if (start == 0) prompts.add(tokens)
                return FloatArray(spec.vocabSize).also { it[if (start == 0) (end + 1) % spec.vocabSize else end] = 10f }
            }
        }
        val system = if (spec.promptFormat != null) "Be brief." else null
        val session = ChatSession(model, tokenizer, small, SamplingConfig(), system = system)
        assertEquals(8, session.replyRoom)
        val dropped = (0 until 6).map { session.send("message number $it about my order").droppedTurns }
        assertEquals(0, dropped.first())
        assertTrue("no turn was dropped: $dropped", dropped.sum() > 0)
        assertTrue(prompts.all { it.size <= 64 - 8 })
        assertEquals(ChatMessage(ChatMessage.USER, "message number 5 about my order"), session.messages[session.messages.size - 2])
        if (system != null) assertTrue(tokenizer.decode(prompts.last(), skipSpecialTokens = false).contains(system))
        val before = session.messages
        val refused = runCatching { session.send("order ".repeat(80)) }.exceptionOrNull()
        assertTrue("a message too long was not refused: $refused", refused is MessageTooLongException)
        assertEquals(before, session.messages)
    }

    @Test
    fun theSamplerDrawsWhatEdgepackChatDraws() {
        val checks = Json.parse(File(assets, "task_data.json").readText()).obj()["sampling_checks"].list().map { it.obj() }
        assertTrue("task_data.json has no sampling check", checks.isNotEmpty())
        for (check in checks) {
            val settings = check["settings"].obj()
            val config = SamplingConfig(doSample = true, temperature = (settings["temperature"] as Number).toDouble(),
                                        topK = settings["top_k"].long().toInt(), topP = (settings["top_p"] as Number).toDouble(),
                                        seed = settings["seed"].long())
            val vector = vectors[check["vector"].long().toInt()]
            val model = RecordedModel(vector)
            val sampler = Sampler(config)
            val draws = (0 until vector["input_ids"].list().size).map { sampler.choose(model.row(it)) }
            assertEquals("draws with $settings", check["draws"].list().map { it.long().toInt() }, draws)
        }
        // Greedy is the sampler at temperature 0, and top-k 1 is greedy too.
        val row = RecordedModel(vectors.first()).row(0)
        assertEquals(Sampler.argmax(row), Sampler(SamplingConfig(doSample = true, temperature = 0.0)).choose(row))
        assertEquals(Sampler.argmax(row), Sampler(SamplingConfig(doSample = true, topK = 1, seed = 3)).choose(row))
        assertFalse(SamplingConfig.defaults(mapOf("do_sample" to true)).greedy)
    }

    /**
     * The model as the vector recorded it: at each position, the reference's best ids with their logits and
     * every other id at -inf. It checks that it is fed the recorded tokens at their positions, as an app feeds them.
     */
    private inner class RecordedModel(vector: Map<String, Any?>) : LanguageModel {
        private val text = vector["text"].str()
        private val ids = ints(vector["input_ids"])
        private val topIds = vector["top_ids"].list().map { ints(it) }
        private val rows = vector["expected"].obj()["logits"].list()[0].list().map { row -> row.list().map { (it as Number).toFloat() } }
        var calls = 0
            private set
        private var next = 0

        fun row(position: Int): FloatArray = FloatArray(spec.vocabSize) { Float.NEGATIVE_INFINITY }.also { row ->
            topIds[position].forEachIndexed { k, id -> row[id] = rows[position][TOP_COLUMN + k] }
        }

        override fun nextLogits(tokens: IntArray, start: Int): FloatArray {
            assertEquals("cache position", next, start)
            // A token other than the recorded one: the kit's greedy choice differs from the eager model's.
            assertArrayEquals("greedy continuation of \"$text\": tokens fed at positions $start..",
                              ids.copyOfRange(start, minOf(ids.size, start + tokens.size)), tokens)
            calls++
            next = start + tokens.size
            return row(next - 1)
        }
    }

    private fun prompt(vector: Map<String, Any?>): IntArray = ints(vector["input_ids"]).copyOf(vector["prompt_length"].long().toInt())

    private fun continuation(vector: Map<String, Any?>): IntArray {
        val ids = ints(vector["input_ids"])
        return ids.copyOfRange(vector["prompt_length"].long().toInt(), ids.size)
    }

    private fun ints(value: Any?): IntArray = value.list().map { it.long().toInt() }.toIntArray()

    companion object {
        // A summary row: max, 5th largest, logsumexp, then the logits of the reference's best ids (builder/tasks/text_generation.py).
        const val TOP_COLUMN = 3
    }
}
