package dev.edgepack.app

import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import dev.edgepack.kit.ChatSession
import dev.edgepack.kit.MessageTooLongException
import dev.edgepack.kit.Reply
import dev.edgepack.kit.StopReason
import java.util.concurrent.ExecutorService

/**
 * The chat screen of a text-generation bundle, on MainActivity's views: the field takes a message, the
 * button sends it and, while the reply streams in, stops it; the conversation shows above, rendered as
 * text (the model sees it in the bundle's prompt format); the last line gives the time to first token
 * and the decoding speed. The conversation itself (prompt format, tokens, sampling, stop rules, context
 * window) is the kit's ChatSession, the same rules as `edgepack chat`.
 */
class ChatScreen(
    private val activity: MainActivity,
    private val session: ChatSession,
    private val worker: ExecutorService,
    private val input: EditText,
    private val button: Button,
    private val transcript: TextView,
    private val detail: TextView,
    private val latency: TextView,
) {
    @Volatile private var stopRequested = false
    private var generating = false
    private val shown = StringBuilder()

    fun start(title: String) {
        transcript.text = title
        button.text = activity.getString(R.string.send)
        button.isEnabled = true
        button.setOnClickListener { if (generating) stopRequested = true else send() }
    }

    private fun send() {
        val text = input.text.toString()
        if (text.isBlank()) return
        input.setText("")
        generating = true
        stopRequested = false
        button.text = activity.getString(R.string.stop)
        detail.text = ""
        shown.append(if (shown.isEmpty()) "" else "\n\n").append("You: ").append(text).append("\n\nModel: ")
        transcript.text = shown
        worker.execute {
            val outcome = try {
                Result.success(session.send(text, onText = { piece -> if (piece.isNotEmpty()) stream(piece) }, shouldStop = { stopRequested }))
            } catch (e: MessageTooLongException) {
                Result.failure(e)
            } catch (e: Exception) {
                Result.failure(IllegalStateException("Could not run the model: ${e.message}", e))
            }
            activity.runOnUiThread { finish(outcome) }
        }
    }

    private fun stream(piece: String) = activity.runOnUiThread {
        shown.append(piece)
        transcript.text = shown
    }

    private fun finish(outcome: Result<Reply>) {
        generating = false
        button.text = activity.getString(R.string.send)
        val reply = outcome.getOrElse { error ->
            shown.append("(").append(error.message).append(")")
            transcript.text = shown
            return
        }
        val notes = ArrayList<String>()
        if (reply.stoppedBy != StopReason.END_OF_TURN_ID && reply.stoppedBy != StopReason.END_OF_TURN_TEXT) {
            notes.add("reply ended: ${reply.stoppedBy.description}")
        }
        if (reply.droppedTurns > 0) notes.add("the conversation outgrew the model's cache: its ${reply.droppedTurns} oldest turn(s) were left out")
        detail.text = notes.joinToString("\n")
        latency.text = "%d prompt tokens · first token %.0f ms · %d tokens · %.1f tokens/s".format(
            reply.promptTokens, reply.firstTokenMillis, reply.tokenIds.size, reply.decodeTokensPerSecond)
    }
}
