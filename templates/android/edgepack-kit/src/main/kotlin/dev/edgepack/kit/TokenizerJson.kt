package dev.edgepack.kit

/** A tokenizer.json this kit would tokenize differently from `tokenizers`: the message names the component. */
class UnsupportedTokenizerException(message: String) : Exception(message)

/** tokenizer.json read into the configuration of every stage of the pipeline. */
internal class TokenizerConfig(
    val model: TokenizerModel,
    val normalizer: Normalizer?,
    val preTokenizer: PreTokenizer,
    val postProcessor: PostProcessor,
    val truncation: Truncation?,
    val padding: Padding?,
    val addedTokens: List<AddedToken>,
    val decoder: Decoder?,
)

/**
 * Reads tokenizer.json (strict JSON, [Json]); each stage reads its own section, next to its
 * type, as in `tokenizers`. Throws [UnsupportedTokenizerException] naming the first section
 * this kit does not implement, in the order below.
 */
internal object TokenizerJson {
    fun read(json: String): TokenizerConfig {
        val root = try {
            Json.parse(json)
        } catch (e: JsonException) {
            throw UnsupportedTokenizerException("tokenizer.json is not valid JSON: ${e.message}")
        } as? Map<*, *> ?: throw UnsupportedTokenizerException("tokenizer.json is not a JSON object")

        val model = root["model"] as? Map<*, *> ?: throw UnsupportedTokenizerException("tokenizer.json has no model")
        return TokenizerConfig(
            model = TokenizerModels.fromJson(model),
            normalizer = Normalizer.fromJson(root["normalizer"]),
            preTokenizer = PreTokenizer.fromJson(root["pre_tokenizer"]),
            postProcessor = PostProcessor.fromJson(root["post_processor"]),
            truncation = Truncation.fromJson(root["truncation"]),
            padding = Padding.fromJson(root["padding"]),
            addedTokens = AddedToken.fromJson(root["added_tokens"]),
            // Only a task that turns ids back into text needs the decoder: one this kit lacks fails then, not here.
            decoder = try {
                Decoder.fromJson(root["decoder"])
            } catch (e: UnsupportedTokenizerException) {
                UnsupportedDecoder(e)
            },
        )
    }
}

/**
 * The tokenizer.json components of one [kind] this kit implements, read by their `type`: each stage's
 * list of them is the one place its types are named (a new one is one line there).
 */
internal class ComponentReaders<T>(private val kind: String, private val readers: Map<String, (Map<*, *>) -> T>) {
    /** [value] as a component; null when absent; refused by name when its type is not implemented. */
    fun read(value: Any?): T? = when (value) {
        null -> null
        is Map<*, *> -> {
            val type = value["type"] as? String
            val read = readers[type] ?: throw UnsupportedTokenizerException(
                "unsupported $kind ${type ?: "(untyped)"}: only ${readers.keys.joinToString(", ")} are supported")
            read(value)
        }
        else -> throw UnsupportedTokenizerException("malformed $kind")
    }
}

/** A tokenizer.json number as an Int (a fraction is cut off). */
internal fun intValue(v: Any?, what: String): Int = (v as? Number)?.toInt()
    ?: throw UnsupportedTokenizerException("tokenizer.json: $what is not a number")
