import EdgepackKit
import Foundation

/// The one runtime-specific part of the app: runs the embedded model on its inputs.
///
/// The app target compiles exactly one implementation, chosen when the app is generated
/// (`edgepack app --runtime`): CoreMLRunner.swift or ExecuTorchRunner.swift. Each of those files
/// also defines `ModelRuntime.load`, the runner `EdgepackModel()` starts.
protocol ModelRunner: AnyObject {
    /// What the screen shows under Model: the runtime and how it runs the model.
    var summary: String { get }

    /// Output name -> values in row-major order, by the manifest's output names. A classifier's
    /// probabilities come back in the manifest's label order, like the eager model's.
    func run(_ inputs: ModelInputs) throws -> [String: [Float]]

    /// A text-generation bundle's program as the chat kit drives it, its key/value cache kept by the runtime.
    func languageModel(_ spec: GenerationSpec) throws -> any GenerationProgram
}

/// A text-generation program on the app's runtime: the kit's LanguageModel (the last position's logits row,
/// for the chat), and every position's rows, which the device tests read teacher-forced. `forward(input_ids
/// [1, n], cache_position [n]) -> logits [1, n, vocab]`: each call writes cache positions start..start+n-1 and
/// attends to the positions before.
protocol GenerationProgram: LanguageModel {
    /// Every position's logits row, `tokens.count * vocab` values.
    func logits(_ tokens: [Int], start: Int) throws -> [Float]
}

/// The bundle's model with its tokenizer and manifest, as the app ships them.
///
/// Everything here uses Foundation and EdgepackKit only (no SwiftUI, no runtime), so that it is
/// typechecked on machines without Core ML or ExecuTorch, with either runtime file.
///
/// Sendable so the screen can load and run it off the main thread: every property is set once
/// in init, and the screen runs one prediction at a time.
final class EdgepackModel: @unchecked Sendable {
    let tokenizer: Tokenizer
    let manifest: BundleManifest
    let variant: BundleManifest.Variant
    /// The sentences a semantic search starts with (task_data.json), for a sentence-embedding bundle.
    let sentences: [String]
    let runner: any ModelRunner

    /// What the screen shows, by the manifest's `task.postprocessing.kind` (each computed by EdgepackKit).
    enum Answer: Sendable {
        case labels([LabelScore])
        case entities(text: String, [Entity])
        case span(context: String, AnswerSpan?)
        case ranking([Match])
        case candidates(maskToken: String, [MaskPrediction])
        /// The input cannot be answered as it is (e.g. no mask token); says what to change.
        case message(String)
    }

    /// One run's answer and where the time went (summed over the model runs it took).
    struct Prediction: Sendable {
        let answer: Answer
        let tokenCount: Int
        let paddedLength: Int
        let tokenizeMilliseconds: Double
        let modelMilliseconds: Double
    }

    /// Loads from `resources` (the app bundle; in the app's tests, the host app's bundle); `runner`
    /// loads the model itself (by default the runtime this app was generated for).
    init(resources: Bundle = .main,
         runner load: (Bundle, BundleManifest, BundleManifest.Variant) throws -> any ModelRunner = ModelRuntime.load(from:manifest:variant:)) throws {
        manifest = try BundleManifest(contentsOf: try EdgepackModel.resource(AppConfig.manifestResource, "json", in: resources))
        let tokenizerURL = try EdgepackModel.resource(AppConfig.tokenizerResource, "json", in: resources)
        tokenizer = try Tokenizer(contentsOf: tokenizerURL)
        variant = try manifest.variant(forFile: AppConfig.modelFile)
        // task_data.json holds a search's sentences for a sentence-embedding bundle (a text-generation bundle's holds
        // its kit tests' sampling checks).
        sentences = manifest.postprocessing.kind != SentenceEmbedding.kind ? [] : try resources
            .url(forResource: AppConfig.taskDataResource, withExtension: "json")
            .map { try SentenceEmbedding.sentences(taskData: try Data(contentsOf: $0)) } ?? []
        runner = try load(resources, manifest, variant)
    }

    /// A text-generation bundle: the screen is a chat (ChatView), not one answer per run.
    var isChat: Bool { manifest.postprocessing.kind == GenerationSpec.kind }

    /// The text-generation program on this app's runtime.
    func languageModel() throws -> any GenerationProgram {
        try runner.languageModel(try GenerationSpec(manifest: manifest))
    }

    /// A new conversation with the model, with the bundle's prompt format and generation defaults (see ChatSession).
    func chatSession(system: String? = nil) throws -> ChatSession {
        try ChatSession(model: try languageModel(), tokenizer: tokenizer, spec: try GenerationSpec(manifest: manifest), system: system)
    }

    /// Whether the screen shows the second field: a pair's second text, a context, the sentences to search.
    var usesSecondField: Bool {
        manifest.pairInput || [QuestionAnswering.kind, SentenceEmbedding.kind].contains(manifest.postprocessing.kind)
    }

    /// The answer to `text` (and `second`: the second text, the context, or the sentences to search, one a line).
    func predict(_ text: String, second: String = "") throws -> Prediction {
        var timing = Timing()
        let answer: Answer
        switch manifest.postprocessing.kind {
        case Postprocess.kind:
            let (_, outputs) = try infer(text, pair: manifest.pairInput ? second : nil, &timing)
            answer = .labels(try Postprocess.classify(outputs, manifest: manifest))
        case TokenClassification.kind:
            let (encoding, outputs) = try infer(text, pair: nil, &timing)
            answer = .entities(text: text, try TokenClassification.entities(outputs, manifest: manifest, text: text, encoding: encoding))
        case QuestionAnswering.kind:
            let (encoding, outputs) = try infer(text, pair: second, &timing)
            let sequenceIds = QuestionAnswering.sequenceIds(encoding, questionTokens: QuestionAnswering.questionTokens(tokenizer, text))
            answer = .span(context: second, try QuestionAnswering.answer(outputs, manifest: manifest, context: second,
                                                                          attentionMask: encoding.attentionMask,
                                                                          sequenceIds: sequenceIds, offsets: encoding.offsets))
        case SentenceEmbedding.kind:
            let lines = second.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let sentences = lines.enumerated().filter { lines.firstIndex(of: $0.element) == $0.offset }.map(\.element)
            if sentences.isEmpty {
                answer = .message("Add sentences to search, one a line.")
            } else {
                let query = try SentenceEmbedding.embedding(try infer(text, pair: nil, &timing).outputs, manifest: manifest)
                let embedded = try sentences.map { ($0, try SentenceEmbedding.embedding(try infer($0, pair: nil, &timing).outputs, manifest: manifest)) }
                answer = .ranking(SentenceEmbedding.rank(query, embedded))
            }
        case FillMask.kind:
            let maskToken = try FillMask.maskToken(manifest)
            if !text.contains(maskToken) {
                answer = .message("Write \(maskToken) where the word to predict goes.")
            } else {
                let (encoding, outputs) = try infer(text, pair: nil, &timing)
                answer = .candidates(maskToken: maskToken, try FillMask.predict(outputs, manifest: manifest, inputIds: encoding.ids,
                                                                                  attentionMask: encoding.attentionMask, tokenizer: tokenizer))
            }
        case let kind:
            throw BundleError("this app has no screen for post-processing kind \(kind)")
        }
        return Prediction(answer: answer, tokenCount: timing.tokens, paddedLength: timing.padded,
                          tokenizeMilliseconds: timing.tokenize, modelMilliseconds: timing.model)
    }

    private struct Timing {
        var tokens = 0, padded = 0, tokenize = 0.0, model = 0.0
    }

    /// Tokenizes (padded as the model takes it) and runs the model, counting the time each step takes.
    private func infer(_ text: String, pair: String?, _ timing: inout Timing) throws -> (encoding: Encoding, outputs: [String: [Float]]) {
        let start = DispatchTime.now()
        let encoding = tokenizer.encode(text, pair: pair)
        let inputs = try ModelInputs.make(encoding: encoding, tokenizer: tokenizer, manifest: manifest, variant: variant)
        let tokenized = DispatchTime.now()
        let outputs = try run(inputs)
        let done = DispatchTime.now()
        timing.tokens += inputs.tokenCount
        timing.padded += inputs.inputIds.count
        timing.tokenize += EdgepackModel.milliseconds(start, tokenized)
        timing.model += EdgepackModel.milliseconds(tokenized, done)
        return (tokenizer.pad(encoding, to: inputs.inputIds.count), outputs)
    }

    /// Runs the model: output name -> values in row-major order (see `ModelRunner.run`).
    func run(_ inputs: ModelInputs) throws -> [String: [Float]] {
        try runner.run(inputs)
    }

    /// Every test vector of the bundle through the tokenizer and the runtime, as the app's tests replay them on a
    /// device: what differs from the build's ids or from the eager model's outputs (beyond the variant's
    /// max_abs_error), one line each; empty when all agree.
    func testVectorProblems(resources: Bundle = .main) throws -> [String] {
        let vectors = try TestVectors(contentsOf: try EdgepackModel.resource(AppConfig.testVectorsResource, "json", in: resources))
        if vectors.vectors.isEmpty {
            return ["the bundle has no test vectors"]
        }
        return try VectorReplay(tokenizer: tokenizer, manifest: manifest, variant: variant).problems(vectors) { try self.run($0) }
    }

    /// A text-generation bundle's test vectors through the tokenizer and the runtime, as the app's tests replay them
    /// on a device (GenerationVectorsTest.kt's rules): each prompt tokenized by the kit must give the build-time ids;
    /// greedy generation through the program's cache must give the eager model's continuation id for id where the
    /// variant was verified to (min_greedy_match 1: fp32), and the share of vectors that do must reach the variant's
    /// gate otherwise; read teacher-forced, the share of positions whose best token is the reference's must reach the
    /// variant's min_next_token_agreement. What fails, one line each; empty when all holds.
    func generationVectorProblems(resources: Bundle = .main) throws -> [String] {
        let vectors = try TestVectors(contentsOf: try EdgepackModel.resource(AppConfig.testVectorsResource, "json", in: resources)).vectors
        if vectors.isEmpty {
            return ["the bundle has no test vectors"]
        }
        let spec = try GenerationSpec(manifest: manifest)
        let language = try languageModel()
        var problems: [String] = []
        var matched = 0, positions = 0, agreeing = 0
        var divergences: [String] = []
        for vector in vectors {
            let text = "\"\(vector.text.prefix(60))\""
            guard let promptLength = vector.promptLength, let best = vector.topIds?.map(\.first), best.count == vector.inputIds.count else {
                problems.append("\(text) is not a text-generation vector (no prompt_length or top_ids)")
                continue
            }
            let prompt = Array(vector.inputIds.prefix(promptLength))
            let encoded = vector.messages.map { promptIds(tokenizer, spec.promptFormat, $0) } ?? tokenizer.encode(vector.text).ids
            if Array(encoded.prefix(promptLength)) != prompt {
                problems.append("prompt ids of \(text): \(encoded.prefix(promptLength)) != \(prompt)")
            }

            language.reset()
            let expected = Array(vector.inputIds.dropFirst(promptLength))
            let generated = try generate(language, prompt: prompt, count: expected.count, sampler: Sampler(SamplingConfig()),
                                         maxSeqLen: spec.maxSeqLen)
            if let first = expected.indices.first(where: { $0 >= generated.count || generated[$0] != expected[$0] }) {
                divergences.append("\(text): first divergent token \(first) of \(expected.count)")
            } else {
                matched += 1
            }

            language.reset()
            let logits = try language.logits(vector.inputIds, start: 0)
            guard logits.count == vector.inputIds.count * spec.vocabSize else {
                problems.append("\(text): \(logits.count) logits for \(vector.inputIds.count) tokens x \(spec.vocabSize)")
                continue
            }
            for position in vector.inputIds.indices {
                positions += 1
                let row = Array(logits[(position * spec.vocabSize)..<((position + 1) * spec.vocabSize)])
                if Sampler.argmax(row) == best[position] { agreeing += 1 }
            }
        }
        let gateMatch = variant.thresholds["min_greedy_match"] ?? 1.0
        let gateAgreement = variant.thresholds["min_next_token_agreement"] ?? 1.0
        let greedyMatch = Double(matched) / Double(vectors.count)
        let agreement = positions > 0 ? Double(agreeing) / Double(positions) : 0
        if gateMatch >= 1.0 && !divergences.isEmpty {
            problems.append("greedy continuations differ from the build's: \(divergences.joined(separator: "; "))")
        } else if !(greedyMatch >= gateMatch) {
            problems.append("greedy match \(greedyMatch) < the variant's gate \(gateMatch) (\(divergences.joined(separator: "; ")))")
        }
        if !(agreement >= gateAgreement) {
            let measured = variant.figures["next_token_agreement"].map { "\($0)" } ?? "not recorded"
            problems.append("next-token agreement \(agreement) < the variant's gate \(gateAgreement) (measured at build time: \(measured))")
        }
        return problems
    }

    /// The app bundle's `name`.`type`, or an error saying it is missing.
    static func resource(_ name: String, _ type: String, in bundle: Bundle) throws -> URL {
        guard let url = bundle.url(forResource: name, withExtension: type) else {
            throw BundleError("\(name).\(type) is not in the app bundle; is it in the app target's resources?")
        }
        return url
    }

    private static func milliseconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
        Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1_000_000
    }
}
