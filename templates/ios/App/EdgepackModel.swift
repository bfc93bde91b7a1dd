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
        sentences = try resources.url(forResource: AppConfig.taskDataResource, withExtension: "json")
            .map { try SentenceEmbedding.sentences(taskData: try Data(contentsOf: $0)) } ?? []
        runner = try load(resources, manifest, variant)
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
