import EdgepackKit
import SwiftUI

/// One screen: type a text (two for a pair model), run the bundle's model on it, see the labels and the latency.
/// All the work happens in EdgepackModel (off the main thread); this view only shows state.
struct ContentView: View {
    @State private var text = ""
    @State private var pair = ""
    @State private var model: EdgepackModel?
    @State private var prediction: EdgepackModel.Prediction?
    @State private var message: String?
    @State private var running = false

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField(AppConfig.inputHint, text: $text, axis: .vertical)
                        .lineLimit(3...8)
                    if model?.manifest.pairInput == true {
                        TextField(AppConfig.secondInputHint, text: $pair, axis: .vertical)
                            .lineLimit(3...8)
                    }
                    Button(running ? "Running…" : "Run") { run() }
                        .disabled(model == nil || running)
                }
                if let prediction {
                    Section("Labels") {
                        ForEach(prediction.ranked.prefix(5), id: \.label) { score in
                            HStack {
                                Text(score.label)
                                Spacer()
                                Text(score.probability, format: .percent.precision(.fractionLength(1)))
                                    .monospacedDigit()
                            }
                        }
                    }
                    Section("Latency") {
                        LabeledContent("Tokenize", value: String(format: "%.2f ms", prediction.tokenizeMilliseconds))
                        LabeledContent("Model", value: String(format: "%.2f ms", prediction.modelMilliseconds))
                        LabeledContent("Tokens", value: "\(prediction.tokenCount) (padded to \(prediction.paddedLength))")
                    }
                }
                if let message {
                    Section { Text(message).foregroundStyle(.red) }
                }
                if let model {
                    Section("Model") {
                        LabeledContent("Variant", value: model.variant.name)
                        LabeledContent("Compute units", value: model.variant.computeUnits ?? "ALL")
                    }
                }
            }
            .navigationTitle(AppConfig.appName)
        }
        .task { await load() }
    }

    private func load() async {
        do {
            let loaded = try await Task.detached(priority: .userInitiated) { try EdgepackModel() }.value
            model = loaded
        } catch {
            message = "Could not load the model: \(error)"
        }
    }

    private func run() {
        guard let model else { return }
        let input = text
        let second = model.manifest.pairInput ? pair : nil
        running = true
        message = nil
        Task {
            do {
                prediction = try await Task.detached(priority: .userInitiated) { try model.predict(input, pair: second) }.value
            } catch {
                message = "\(error)"
            }
            running = false
        }
    }
}
