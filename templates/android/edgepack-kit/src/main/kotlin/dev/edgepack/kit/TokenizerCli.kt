package dev.edgepack.kit

import java.io.File
import kotlin.system.exitProcess

/**
 * `TokenizerCli <tokenizer.json> <texts.txt> [<tokenizer.json> <texts.txt> ...]`: each line of
 * texts.txt is a JSON string (one text) or a JSON array of two strings (a pair); prints one
 * JSON object per line with the encoding's ids, type_ids, attention_mask, offsets, word_ids and the ids
 * decoded without and with special tokens (or, for a decoder the kit lacks, decoder_unsupported: why),
 * job after job (several jobs share one JVM start). Exits 2 on an unsupported tokenizer.
 */
fun main(args: Array<String>) {
    if (args.isEmpty() || args.size % 2 != 0) {
        System.err.println("usage: TokenizerCli <tokenizer.json> <texts.txt> [<tokenizer.json> <texts.txt> ...]")
        exitProcess(64)
    }
    val tokenizers = (args.indices step 2).map { job ->
        try {
            Tokenizer.fromJson(File(args[job]).readText(Charsets.UTF_8))
        } catch (e: UnsupportedTokenizerException) {
            System.err.println("unsupported tokenizer: ${e.message}")
            exitProcess(2)
        }
    }
    val out = StringBuilder()
    tokenizers.forEachIndexed { job, tokenizer ->
        File(args[2 * job + 1]).readLines(Charsets.UTF_8).forEachIndexed { index, line ->
            if (line.isBlank()) return@forEachIndexed
            val encoding = when (val value = Json.parse(line)) {
                is String -> tokenizer.encode(value)
                is List<*> -> {
                    if (value.size != 2 || value[0] !is String || value[1] !is String) {
                        System.err.println("line ${index + 1}: a pair must be a JSON array of two strings")
                        exitProcess(65)
                    }
                    tokenizer.encode(value[0] as String, value[1] as String)
                }
                else -> {
                    System.err.println("line ${index + 1}: expected a JSON string or a pair of strings")
                    exitProcess(65)
                }
            }
            out.append("{\"ids\":[").append(encoding.ids.joinToString(","))
                .append("],\"type_ids\":[").append(encoding.typeIds.joinToString(","))
                .append("],\"attention_mask\":[").append(encoding.attentionMask.joinToString(","))
                .append("],\"offsets\":[").append(encoding.offsets.joinToString(",") { "[${it[0]},${it[1]}]" })
                .append("],\"word_ids\":[").append(encoding.wordIds.joinToString(",") { if (it == Encoding.NO_WORD) "null" else "$it" })
                .append("]")
            val unsupported = tokenizer.decoderProblem
            if (unsupported == null) {
                out.append(",\"decoded\":").append(Json.quote(tokenizer.decode(encoding.ids, skipSpecialTokens = true)))
                    .append(",\"decoded_with_special\":").append(Json.quote(tokenizer.decode(encoding.ids, skipSpecialTokens = false)))
            } else {
                out.append(",\"decoder_unsupported\":").append(Json.quote(unsupported))
            }
            out.append("}\n")
        }
    }
    System.out.write(out.toString().toByteArray(Charsets.UTF_8))
    System.out.flush()
}
