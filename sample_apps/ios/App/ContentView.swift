import EdgepackKit
import SwiftUI

/// One screen: type a text (and, for tasks that read two, a second text, a context or the sentences to
/// search), run the bundle's model on it, see the answer and the latency. The answer's layout follows
/// the bundle's task (EdgepackModel.Answer); all the work happens in EdgepackModel, off the main thread.
/// A text-generation bundle gets the chat screen (ChatView, below) instead.
struct ContentView: View {
    @State private var text = ""
    @State private var second = ""
    @State private var model: EdgepackModel?
    @State private var chat: ChatWorker?
    @State private var prediction: EdgepackModel.Prediction?
    @State private var tapped: String?
    @State private var message: String?
    @State private var running = false

    var body: some View {
        Group {
            if AppConfig.isChat {
                chatScreen
            } else {
                answerScreen
            }
        }
        .task { await load() }
    }

    private var chatScreen: some View {
        NavigationStack {
            Group {
                if let model, let chat {
                    ChatView(model: model, worker: chat)
                } else if let message {
                    Text(message).foregroundStyle(.red).padding()
                } else {
                    ProgressView("Loading the model…")
                }
            }
            .navigationTitle(AppConfig.appName)
            .navigationBarTitleDisplayMode(.inline)
        }
    }

    private var answerScreen: some View {
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
            // A text-generation bundle's conversation starts with the model (Core ML: its state).
            let (loaded, worker) = try await Task.detached(priority: .userInitiated) { () throws -> (EdgepackModel, ChatWorker?) in
                let loaded = try EdgepackModel()
                return (loaded, loaded.isChat ? ChatWorker(session: try loaded.chatSession()) : nil)
            }.value
            model = loaded
            chat = worker
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

/// The chat screen of a text-generation bundle: the conversation above, rendered as text (the model sees it in
/// the bundle's prompt format); the field takes a message; Send becomes Stop while the reply streams in; under a
/// reply, why it ended when not at its end of turn and the turns the context window left out, then the time to
/// first token and the decoding speed. The conversation itself (prompt format, tokens, sampling, stop rules,
/// context window) is the kit's ChatSession, the same rules as `edgepack chat`, run off the main thread by
/// ChatWorker; the streamed text arrives here, on the main actor, in order.
struct ChatView: View {
    struct Turn: Identifiable, Equatable {
        let id: Int
        let message: String
        var reply = ""
        var notes: [String] = []
        /// Not sent (too long for the model's cache, or the model failed): not part of the conversation.
        var failed = false
    }

    let model: EdgepackModel
    let worker: ChatWorker
    @State private var turns: [Turn] = []
    @State private var input = ""
    @State private var generating = false
    @State private var latency: String?

    private static let bottom = "bottom"

    var body: some View {
        VStack(spacing: 0) {
            ScrollViewReader { proxy in
                ScrollView {
                    LazyVStack(alignment: .leading, spacing: 12) {
                        Text("\(model.variant.name) · \(model.runner.summary)")
                            .font(.footnote).foregroundStyle(.secondary)
                        ForEach(turns) { turn in
                            Text(turn.message)
                                .padding(10)
                                .background(Color.accentColor.opacity(0.15), in: RoundedRectangle(cornerRadius: 12))
                                .frame(maxWidth: .infinity, alignment: .trailing)
                            if !turn.failed {
                                Text(turn.reply.isEmpty && generating && turn.id == turns.last?.id ? "…" : turn.reply)
                                    .textSelection(.enabled)
                                    .frame(maxWidth: .infinity, alignment: .leading)
                            }
                            ForEach(turn.notes, id: \.self) { note in
                                Text(note).font(.footnote).foregroundStyle(turn.failed ? Color.red : Color.secondary)
                            }
                        }
                        if let latency {
                            Text(latency).font(.footnote).monospacedDigit().foregroundStyle(.secondary)
                        }
                        Color.clear.frame(height: 1).id(Self.bottom)
                    }
                    .padding()
                }
                .onChange(of: turns) { proxy.scrollTo(Self.bottom, anchor: .bottom) }
            }
            Divider()
            HStack(alignment: .bottom) {
                TextField(AppConfig.inputHint, text: $input, axis: .vertical)
                    .lineLimit(1...6)
                    .textFieldStyle(.roundedBorder)
                Button(generating ? "Stop" : "Send") {
                    if generating { worker.stop() } else { send() }
                }
                .buttonStyle(.borderedProminent)
                .disabled(!generating && input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            }
            .padding()
        }
        .toolbar {
            Button("New chat") {
                worker.reset()
                turns = []
                latency = nil
            }
            .disabled(generating || turns.isEmpty)
        }
    }

    private func send() {
        let text = input
        guard !generating, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        input = ""
        generating = true
        latency = nil
        let index = turns.count
        turns.append(Turn(id: index, message: text))
        let events = worker.send(text)
        Task {
            for await event in events {
                switch event {
                case .text(let piece):
                    turns[index].reply += piece
                case .finished(.success(let reply)):
                    // The streamed pieces make the reply's text; a decoder that rewrote a shown end leaves it here only.
                    turns[index].reply = reply.text
                    turns[index].notes = ChatWorker.notes(reply)
                    latency = ChatWorker.latency(reply)
                case .finished(.failure(let error)):
                    turns[index].failed = true
                    turns[index].notes = [error is MessageTooLongError ? "Not sent: \(error)" : "Could not run the model: \(error)"]
                    if input.isEmpty { input = text }
                }
            }
            generating = false
        }
    }
}
