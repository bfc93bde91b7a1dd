package dev.edgepack.app

import android.app.Activity
import android.os.Bundle
import android.os.SystemClock
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import dev.edgepack.kit.ModelInputs
import dev.edgepack.kit.Postprocess
import java.util.concurrent.Executors

/** One screen: type a text (two for a pair model), run the model on the device, see the labels and the latency. */
class MainActivity : Activity() {
    private val worker = Executors.newSingleThreadExecutor()
    private var model: EdgepackModel? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        val input = findViewById<EditText>(R.id.input)
        val secondInput = findViewById<EditText>(R.id.second_input)
        val run = findViewById<Button>(R.id.run)
        val result = findViewById<TextView>(R.id.result)
        val latency = findViewById<TextView>(R.id.latency)

        worker.execute {
            val loaded = try {
                EdgepackModel.load(this)
            } catch (e: Exception) {
                runOnUiThread { result.text = "Could not load the model: ${e.message}" }
                return@execute
            }
            model = loaded
            runOnUiThread {
                result.text = "${loaded.manifest.modelName}: ${loaded.variant.name}"
                if (loaded.manifest.pairInput) secondInput.visibility = View.VISIBLE
                run.isEnabled = true
            }
        }

        run.setOnClickListener {
            val loaded = model ?: return@setOnClickListener
            val text = input.text.toString()
            val pair = if (loaded.manifest.pairInput) secondInput.text.toString() else null
            worker.execute {
                val started = SystemClock.elapsedRealtimeNanos()
                val inputs = ModelInputs.of(text, loaded.tokenizer, loaded.manifest, pair)
                val tokenized = SystemClock.elapsedRealtimeNanos()
                val outputs = loaded.run(inputs)
                val finished = SystemClock.elapsedRealtimeNanos()
                val ranked = Postprocess.classify(outputs, loaded.manifest)
                val lines = ranked.joinToString("\n") { "%-28s %6.2f %%".format(it.label, it.probability * 100) }
                runOnUiThread {
                    result.text = lines
                    latency.text = "%d tokens · tokenize %.2f ms · model %.2f ms".format(
                        inputs.inputIds.size, (tokenized - started) / 1e6, (finished - tokenized) / 1e6)
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
