package dev.edgepack.app

import android.app.Activity
import android.os.Bundle
import android.text.method.LinkMovementMethod
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import dev.edgepack.kit.ChatSession
import dev.edgepack.kit.GenerationSpec
import java.util.concurrent.Executors

/**
 * One screen: type a text (and, for tasks that read two, a second text, a context or the sentences to
 * search), run the model on the device, see the answer and the latency. What the screen does for the
 * bundle's task is in TaskScreen; a text-generation bundle gets the chat screen (ChatScreen) instead.
 */
class MainActivity : Activity() {
    private val worker = Executors.newSingleThreadExecutor()
    private var model: EdgepackModel? = null
    private var screen: TaskScreen? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        val input = findViewById<EditText>(R.id.input)
        val secondInput = findViewById<EditText>(R.id.second_input)
        val run = findViewById<Button>(R.id.run)
        val result = findViewById<TextView>(R.id.result)
        val detail = findViewById<TextView>(R.id.detail)
        val latency = findViewById<TextView>(R.id.latency)
        // Entities in the answer are tappable.
        result.setMovementMethod(LinkMovementMethod.getInstance())

        worker.execute {
            val loaded = try {
                EdgepackModel.load(this)
            } catch (e: Exception) {
                runOnUiThread { result.text = "Could not load the model: ${e.message}" }
                return@execute
            }
            model = loaded
            val title = "${loaded.manifest.modelName}: ${loaded.variant.name}"
            if (loaded.manifest.task == GenerationSpec.KIND) {
                val session = ChatSession(loaded.languageModel(), loaded.tokenizer, GenerationSpec.of(loaded.manifest))
                runOnUiThread { ChatScreen(this, session, worker, input, run, result, detail, latency).start(title) }
                return@execute
            }
            val task = TaskScreen.forBundle(loaded).also { screen = it }
            runOnUiThread {
                result.text = title
                if (task.usesSecondField) {
                    secondInput.visibility = View.VISIBLE
                    secondInput.setText(task.secondFieldText)
                }
                run.isEnabled = true
            }
        }

        run.setOnClickListener {
            val task = screen ?: return@setOnClickListener
            val text = input.text.toString()
            val second = secondInput.text.toString()
            detail.text = ""
            worker.execute {
                val shown = try {
                    task.run(text, second) { tapped -> runOnUiThread { detail.text = tapped } }
                } catch (e: Exception) {
                    runOnUiThread { result.text = "Could not run the model: ${e.message}" }
                    return@execute
                }
                runOnUiThread {
                    result.text = shown.answer
                    latency.text = "%d tokens · tokenize %.2f ms · model %.2f ms".format(shown.tokens, shown.tokenizeMillis, shown.modelMillis)
                }
            }
        }
    }

    override fun onDestroy() {
        worker.shutdown()
        model?.close()
        super.onDestroy()
    }
}
