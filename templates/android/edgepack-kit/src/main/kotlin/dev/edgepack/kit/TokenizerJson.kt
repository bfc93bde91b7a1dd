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

/** A tokenizer.json number as an Int (a fraction is cut off). */
internal fun intValue(v: Any?, what: String): Int = (v as? Number)?.toInt()
    ?: throw UnsupportedTokenizerException("tokenizer.json: $what is not a number")
