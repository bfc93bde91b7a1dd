package dev.edgepack.kit

/** One message of a conversation: [role] is "system" (first message only), "user" or "assistant". */
data class ChatMessage(val role: String, val content: String) {
    companion object {
        const val SYSTEM = "system"
        const val USER = "user"
        const val ASSISTANT = "assistant"
    }
}

/**
 * The checkpoint's chat template as the fixed strings the build cut out of it (manifest
 * `task.postprocessing.prompt_format`): an app cannot run Jinja, so the build rendered the template on
 * sentinel conversations, kept the text between the messages, and checked that joining these strings
 * reproduces the template's own text on several real conversations (builder/prompt_format.py, whose
 * `PromptFormat.render` this mirrors):
 *
 *     (systemPrefix + system + afterSystem, or noSystemPrefix) + user1 + userToAssistant + assistant1
 *     + assistantToUser + user2 + ... + userN + generationPrompt
 */
class PromptFormat(
    val systemPrefix: String,
    val afterSystem: String,
    val noSystemPrefix: String,
    val userToAssistant: String,
    val assistantToUser: String,
    val generationPrompt: String,
    /** What follows an assistant turn before the next user turn: the text a reply ends with. */
    val assistantEnd: String,
    /** The template trims each message's content (Jinja's `trim`), so the app does too. */
    val trimsContent: Boolean,
) {
    /** The end-of-turn text, which stops a reply when the model writes it out rather than as one token. */
    val endOfTurnText: String get() = assistantEnd.trim()

    /** The prompt for [messages] (system first if any, then user and assistant alternating, ending with a user turn). */
    fun render(messages: List<ChatMessage>): String {
        val clean = messages.map { if (trimsContent) it.copy(content = jinjaTrim(it.content)) else it }
        val text = StringBuilder()
        var turns = clean
        if (clean.firstOrNull()?.role == ChatMessage.SYSTEM) {
            text.append(systemPrefix).append(clean[0].content).append(afterSystem)
            turns = clean.drop(1)
        } else {
            text.append(noSystemPrefix)
        }
        turns.forEachIndexed { index, message ->
            text.append(message.content)
            if (index + 1 < turns.size) text.append(if (message.role == ChatMessage.USER) userToAssistant else assistantToUser)
        }
        return text.append(generationPrompt).toString()
    }

    companion object {
        /** The manifest's `prompt_format` object, or null for a model without a chat template (plain text). */
        fun fromJson(value: Any?): PromptFormat? {
            if (value == null) return null
            val format = value.obj()
            return PromptFormat(
                systemPrefix = format["system_prefix"].str(),
                afterSystem = format["after_system"].str(),
                noSystemPrefix = format["no_system_prefix"].str(),
                userToAssistant = format["user_to_assistant"].str(),
                assistantToUser = format["assistant_to_user"].str(),
                generationPrompt = format["generation_prompt"].str(),
                assistantEnd = format["assistant_end"].str(),
                trimsContent = format["trims_content"] == true,
            )
        }

        /** Python's str.strip() (Jinja's trim): Unicode whitespace and the separators U+001C..U+001F. */
        internal fun jinjaTrim(text: String): String {
            val points = codePoints(text)
            fun space(c: Int) = UnicodeData.isWhitespace(c) || c in 0x1C..0x1F
            var start = 0
            var end = points.size
            while (start < end && space(points[start])) start++
            while (end > start && space(points[end - 1])) end--
            return String(points, start, end - start)
        }
    }
}
