package dev.edgepack.kit

/**
 * A decoder-only language model program with its key/value cache inside (the bundle's text-generation
 * variant): ExecuTorch keeps the cache in the loaded method, Core ML in an MLState. The app implements this
 * over its runtime; the kit's tests implement it over the bundle's test vectors.
 */
interface LanguageModel {
    /**
     * Runs [tokens] at cache positions [start], start + 1, ... (the prompt at 0 in one call, then one token
     * at a time) and returns the logits row that follows the last of them (vocabulary-sized). Positions
     * from [start] on are overwritten, so a new conversation simply starts again at 0.
     */
    fun nextLogits(tokens: IntArray, start: Int): FloatArray

    /** Starts a new conversation (Core ML: a fresh MLState); ExecuTorch needs nothing (see [nextLogits]). */
    fun reset() {}
}

/** What the manifest's `task.postprocessing` says about generating with the bundle (kind "text-generation"). */
class GenerationSpec(
    val vocabSize: Int,
    val bosTokenId: Int?,
    /** Ids that end a reply: generation_config.json's eos ids and the chat format's end-of-turn token. */
    val eosTokenIds: Set<Int>,
    /** The key/value cache's length: prompt and reply together never exceed it. */
    val maxSeqLen: Int,
    /** Null for a plain language model (no chat template): the conversation is continued as text. */
    val promptFormat: PromptFormat?,
    val sampling: SamplingConfig,
    /** generation_config.json's max_new_tokens, else [DEFAULT_NEW_TOKENS]. */
    val maxNewTokens: Int,
) {
    companion object {
        const val KIND = "text-generation"
        /** A reply's length when generation_config.json sets none (what `edgepack chat` uses). */
        const val DEFAULT_NEW_TOKENS = 256

        fun of(manifest: BundleManifest): GenerationSpec {
            val spec = manifest.postprocessing
            require(spec["kind"] == KIND) { "not a text-generation bundle: ${spec["kind"]}" }
            val generation = spec["generation"].obj()
            return GenerationSpec(
                vocabSize = spec["vocab_size"].long().toInt(),
                bosTokenId = spec["bos_token_id"]?.long()?.toInt(),
                eosTokenIds = spec["eos_token_ids"].list().map { it.long().toInt() }.toSet(),
                maxSeqLen = spec["max_seq_len"].long().toInt(),
                promptFormat = PromptFormat.fromJson(spec["prompt_format"]),
                sampling = SamplingConfig.defaults(generation),
                maxNewTokens = (generation["max_new_tokens"] as? Number)?.toInt() ?: DEFAULT_NEW_TOKENS,
            )
        }
    }
}

/**
 * A conversation's prompt ids: [format]'s strings around the messages, encoded without added special tokens
 * (the strings hold them); without a format (a plain language model) the contents joined, encoded as text
 * with the tokenizer's special tokens, which the model continues.
 */
fun promptIds(tokenizer: Tokenizer, format: PromptFormat?, messages: List<ChatMessage>): IntArray =
    if (format == null) tokenizer.encode(messages.joinToString("") { it.content }).ids
    else tokenizer.encode(format.render(messages), addSpecialTokens = false).ids

/** Why a reply ended, in the words `edgepack chat` prints. */
enum class StopReason(val description: String) {
    END_OF_TURN_ID("end-of-turn id"),
    END_OF_TURN_TEXT("end-of-turn text"),
    MAX_NEW_TOKENS("max-new-tokens"),
    CACHE_FULL("cache full"),
    STOPPED("stopped by the user"),
}

class Reply(
    val text: String,
    /** The generated ids, without the one that ended the turn. */
    val tokenIds: IntArray,
    val promptTokens: Int,
    /** Prefill and the first token's choice, in milliseconds. */
    val firstTokenMillis: Double,
    /** Tokens after the first over the time they took. */
    val decodeTokensPerSecond: Double,
    val stoppedBy: StopReason,
    /** Oldest turns left out of the prompt so that it fits the cache (see [ChatSession]). */
    val droppedTurns: Int,
)

/**
 * The generation loop: the prompt in one call, then each chosen token at the next position, until
 * [count] tokens, a stop id, or the cache's end. [onToken] sees each token (stop ids too) and returns
 * false to stop. Returns the tokens chosen, stop id included.
 */
fun generate(model: LanguageModel, prompt: IntArray, count: Int, sampler: Sampler, stopIds: Set<Int> = emptySet(),
             maxSeqLen: Int = Int.MAX_VALUE, onToken: (Int) -> Boolean = { true }): IntArray {
    require(prompt.isNotEmpty()) { "an empty prompt: a language model needs at least one token to continue" }
    val generated = ArrayList<Int>()
    var logits = model.nextLogits(prompt, 0)
    var position = prompt.size
    while (generated.size < count && position < maxSeqLen) {
        val token = sampler.choose(logits)
        generated.add(token)
        if (!onToken(token) || token in stopIds || generated.size == count || position + 1 >= maxSeqLen) break
        logits = model.nextLogits(intArrayOf(token), position)
        position++
    }
    return generated.toIntArray()
}

/**
 * One conversation with the bundle's model, as `edgepack chat` holds it (builder/chat.py, the reference):
 * the messages become a prompt with the bundle's [PromptFormat] (or stay plain text), encoded without added
 * special tokens (the format's strings hold them); the reply streams through [TextStreamer] and ends at an
 * end-of-turn id, at the end-of-turn text, after [maxNewTokens], when the cache is full, or when the user
 * stops it.
 *
 * Context window: every turn re-reads the whole conversation (prefill is fast next to decoding, and the
 * prompt is then exactly the template's text, not the reply's sampled ids). When the prompt would leave
 * fewer than [replyRoom] positions of the cache for the reply, the oldest turns (a user message and its
 * reply) are dropped, the system message kept, and the reply says how many; a single message that does not
 * fit is refused with [MessageTooLongException].
 */
class ChatSession(
    private val model: LanguageModel,
    private val tokenizer: Tokenizer,
    val spec: GenerationSpec,
    val sampling: SamplingConfig = spec.sampling,
    val system: String? = null,
    val maxNewTokens: Int = spec.maxNewTokens,
    private val clock: () -> Long = System::nanoTime,
) {
    init {
        require(system == null || spec.promptFormat != null) { "this model has no chat template, so it has no system message" }
    }

    private val sampler = Sampler(sampling)
    private val history = ArrayList<ChatMessage>()

    val messages: List<ChatMessage> get() = history.toList()

    /** Positions kept free for the reply when old turns are dropped: a quarter of the cache, at most [maxNewTokens]. */
    val replyRoom: Int get() = minOf(maxNewTokens, spec.maxSeqLen / 4).coerceAtLeast(1)

    fun reset() {
        history.clear()
        model.reset()
    }

    /** The prompt's ids for [messages] (user and assistant turns; the session's system message goes first). */
    fun promptIds(messages: List<ChatMessage>): IntArray =
        promptIds(tokenizer, spec.promptFormat, (if (system != null) listOf(ChatMessage(ChatMessage.SYSTEM, system)) else emptyList()) + messages)

    /**
     * Adds the user's [text], generates the reply (streamed to [onText]) and adds it to the conversation. When the
     * message is refused or the model fails, the conversation is left as it was.
     */
    fun send(text: String, onText: (String) -> Unit = {}, shouldStop: () -> Boolean = { false }): Reply {
        val before = history.toList()
        history.add(ChatMessage(ChatMessage.USER, text))
        try {
            return reply(onText, shouldStop)
        } catch (e: Exception) {
            history.clear()
            history.addAll(before)
            throw e
        }
    }

    private fun reply(onText: (String) -> Unit, shouldStop: () -> Boolean): Reply {
        val (prompt, dropped) = fittingPrompt()
        val stopText = spec.promptFormat?.endOfTurnText.orEmpty()
        val streamer = TextStreamer(tokenizer, if (stopText.isEmpty()) emptyList() else listOf(stopText))
        var stoppedBy = StopReason.MAX_NEW_TOKENS
        val started = clock()
        var firstToken: Long? = null
        val count = minOf(maxNewTokens, spec.maxSeqLen - prompt.size)
        val generated = generate(model, prompt, count, sampler, spec.eosTokenIds, spec.maxSeqLen) { token ->
            if (firstToken == null) firstToken = clock()
            when {
                token in spec.eosTokenIds -> { stoppedBy = StopReason.END_OF_TURN_ID; false }
                else -> {
                    onText(streamer.add(token))
                    when {
                        streamer.stopped -> { stoppedBy = StopReason.END_OF_TURN_TEXT; false }
                        shouldStop() -> { stoppedBy = StopReason.STOPPED; false }
                        else -> true
                    }
                }
            }
        }
        val finished = clock()
        if (stoppedBy == StopReason.MAX_NEW_TOKENS && prompt.size + generated.size >= spec.maxSeqLen) stoppedBy = StopReason.CACHE_FULL
        onText(streamer.flush())
        history.add(ChatMessage(ChatMessage.ASSISTANT, streamer.text))
        val decoded = streamer.tokenIds.size - 1
        val seconds = (finished - (firstToken ?: finished)) / 1e9
        return Reply(
            text = streamer.text,
            tokenIds = streamer.tokenIds,
            promptTokens = prompt.size,
            firstTokenMillis = firstToken?.let { (it - started) / 1e6 } ?: 0.0,
            decodeTokensPerSecond = if (decoded > 0 && seconds > 0) decoded / seconds else 0.0,
            stoppedBy = stoppedBy,
            droppedTurns = dropped,
        )
    }

    /** The prompt, after dropping the oldest turns it needs to; a message that does not fit even alone is refused. */
    private fun fittingPrompt(): Pair<IntArray, Int> {
        val limit = spec.maxSeqLen - replyRoom
        val alone = promptIds(history.takeLast(1)).size
        if (alone > limit) throw MessageTooLongException(alone, limit)
        var dropped = 0
        while (true) {
            val ids = promptIds(history)
            if (ids.size <= limit) return ids to dropped
            history.subList(0, 2).clear()
            dropped++
        }
    }
}

class MessageTooLongException(val tokens: Int, val limit: Int) :
    IllegalArgumentException("the message takes $tokens tokens and at most $limit fit in the model's cache with room for a reply; write a shorter one")
