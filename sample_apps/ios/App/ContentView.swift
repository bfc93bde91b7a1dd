import EdgepackKit
import SwiftUI

/// One screen: type a text (and, for tasks that read two, a second text, a context or the sentences to
/// search), run the bundle's model on it, see the answer and the latency. The answer's layout follows
/// the bundle's task (EdgepackModel.Answer); all the work happens in EdgepackModel, off the main thread.
struct ContentView: View {
    @State private var text = ""
    @State private var second = ""
    @State private var model: EdgepackModel?
    @State private var prediction: EdgepackModel.Prediction?
    @State private var tapped: String?
    @State private var message: String?
    @State private var running = false

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField(AppConfig.inputHint, text: $text, axis: .vertical)
                        .lineLimit(3...8)
                    if model?.usesSecondField == true {
                        TextField(AppConfig.secondInputHint, text: $second, axis: .vertical)
                            .lineLimit(3...12)
                    }
                    Button(running ? "Running…" : "Run") { run() }
                        .disabled(model == nil || running)
                }
                if let prediction {
                    answer(prediction.answer)
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
                        LabeledContent("Runtime", value: model.runner.summary)
                    }
                }
            }
            .navigationTitle(AppConfig.appName)
        }
        .task { await load() }
    }

    @ViewBuilder
    private func answer(_ answer: EdgepackModel.Answer) -> some View {
        switch answer {
        case .labels(let ranked):
            Section("Labels") {
                ForEach(ranked.prefix(5), id: \.label) { score in
                    HStack {
                        Text(score.label)
                        Spacer()
                        Text(score.probability, format: .percent.precision(.fractionLength(1))).monospacedDigit()
                    }
                }
            }
        case .entities(let text, let entities):
            Section("Entities") {
                if entities.isEmpty {
                    Text("No entities in this text.")
                } else {
                    // Each entity is a link to its own index: tapping it shows its score below.
                    Text(Self.marked(text, entities))
                        .environment(\.openURL, OpenURLAction { url in
                            if let index = Int(url.host() ?? ""), entities.indices.contains(index) {
                                let entity = entities[index]
                                tapped = String(format: "%@ \"%@\": score %.3f, characters %d-%d",
                                                entity.label, entity.text, entity.score, entity.start, entity.end)
                            }
                            return .handled
                        })
                    if let tapped { Text(tapped).font(.footnote) }
                }
            }
        case .span(let context, let span):
            Section("Answer") {
                if let span {
                    Text("\(span.text)  (score \(String(format: "%.3f", span.score)))").bold()
                    Text(Self.highlighted(context, span))
                } else {
                    Text("No answer: none of the context fits in the model's maximum length after the question.")
                }
            }
        case .ranking(let matches):
            Section("Most similar first") {
                ForEach(Array(matches.enumerated()), id: \.offset) { _, match in
                    HStack(alignment: .firstTextBaseline) {
                        Text(String(format: "%.3f", match.score)).monospacedDigit()
                        Text(match.sentence)
                    }
                }
            }
        case .candidates(let maskToken, let predictions):
            if predictions.isEmpty {
                Section { Text("The \(maskToken) was cut off: the text is longer than the model reads.") }
            }
            ForEach(Array(predictions.enumerated()), id: \.offset) { number, prediction in
                Section("\(maskToken) \(number + 1)") {
                    ForEach(prediction.candidates, id: \.token) { candidate in
                        HStack {
                            Text(candidate.tokenStr)
                            Spacer()
                            Text(candidate.score, format: .percent.precision(.fractionLength(1))).monospacedDigit()
                        }
                    }
                    if let best = prediction.candidates.first { Text(best.sequence).italic() }
                }
            }
        case .message(let text):
            Section { Text(text) }
        }
    }

    /// The text with each entity highlighted, followed by its label, and linked to its index.
    private static func marked(_ text: String, _ entities: [Entity]) -> AttributedString {
        var marked = AttributedString()
        var cursor = 0
        for (index, entity) in entities.enumerated().sorted(by: { $0.element.start < $1.element.start }) {
            marked += AttributedString(TextSpans.slice(text, cursor, entity.start))
            var span = AttributedString("\(entity.text) (\(entity.label))")
            span.backgroundColor = highlight(entity.label)
            span.link = URL(string: "edgepack-entity://\(index)")
            marked += span
            cursor = entity.end
        }
        return marked + AttributedString(TextSpans.slice(text, cursor, TextSpans.length(text)))
    }

    /// The context with the answer highlighted.
    private static func highlighted(_ context: String, _ span: AnswerSpan) -> AttributedString {
        var answer = AttributedString(span.text)
        answer.backgroundColor = .yellow.opacity(0.4)
        return AttributedString(TextSpans.slice(context, 0, span.start)) + answer
            + AttributedString(TextSpans.slice(context, span.end, TextSpans.length(context)))
    }

    private static let highlights: [Color] = [.blue, .green, .orange, .purple, .red]

    /// The same colour for the same label on every run (a stable hash: Swift's own is seeded per process).
    private static func highlight(_ label: String) -> Color {
        highlights[label.unicodeScalars.reduce(0) { ($0 * 31 + Int($1.value)) % 1_000_003 } % highlights.count].opacity(0.3)
    }

    private func load() async {
        do {
            let loaded = try await Task.detached(priority: .userInitiated) { try EdgepackModel() }.value
            model = loaded
            second = loaded.sentences.joined(separator: "\n")
        } catch {
            message = "Could not load the model: \(error)"
        }
    }

    private func run() {
        guard let model else { return }
        let input = text
        let other = second
        running = true
        message = nil
        tapped = nil
        Task {
            do {
                prediction = try await Task.detached(priority: .userInitiated) { try model.predict(input, second: other) }.value
            } catch {
                message = "\(error)"
            }
            running = false
        }
    }
}
