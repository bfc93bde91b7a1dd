import CoreML
import EdgepackKit
import Foundation

/// The bundle's Core ML model with its tokenizer and manifest, as the app ships them.
///
/// Everything here uses Foundation, Core ML and EdgepackKit only (no SwiftUI), so that it is
/// typechecked against a stub of the Core ML API on machines without Core ML.
///
/// Sendable so the screen can load and run it off the main thread: every property is set once
/// in init, and the screen runs one prediction at a time.
final class EdgepackModel: @unchecked Sendable {
    let tokenizer: Tokenizer
    let manifest: BundleManifest
    let variant: BundleManifest.Variant
    let computeUnits: MLComputeUnits
    /// The sentences a semantic search starts with (task_data.json), for a sentence-embedding bundle.
    let sentences: [String]
    private let model: MLModel

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

    /// Loads from `resources` (the app bundle; in the app's tests, the host app's bundle).
    /// `computeUnits` defaults to the units the bundle's target profile chose.
    init(resources: Bundle = .main, computeUnits: MLComputeUnits? = nil) throws {
        manifest = try BundleManifest(contentsOf: try EdgepackModel.resource(AppConfig.manifestResource, "json", in: resources))
        let tokenizerURL = try EdgepackModel.resource(AppConfig.tokenizerResource, "json", in: resources)
        tokenizer = try Tokenizer(contentsOf: tokenizerURL)
        variant = try manifest.variant(forFile: AppConfig.modelFile)
        sentences = try resources.url(forResource: AppConfig.taskDataResource, withExtension: "json")
            .map { try SentenceEmbedding.sentences(taskData: try Data(contentsOf: $0)) } ?? []
        self.computeUnits = try computeUnits ?? EdgepackModel.units(named: variant.computeUnits ?? "ALL")
        let configuration = MLModelConfiguration()
        configuration.computeUnits = self.computeUnits
        // Xcode compiles the .mlpackage in the app target into <name>.mlmodelc.
        let compiled = try EdgepackModel.resource(AppConfig.modelResource, "mlmodelc", in: resources)
        model = try MLModel(contentsOf: compiled, configuration: configuration)
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

    /// Runs the model: output name -> values in row-major order. A classifier's probability
    /// dictionary comes back as an array in the manifest's label order, like the eager model's.
    func run(_ inputs: ModelInputs) throws -> [String: [Float]] {
        var arrays: [String: Any] = [:]
        for name in manifest.inputNames {
            arrays[name] = try EdgepackModel.int32Array(try inputs.values(named: name))
        }
        let features = try MLDictionaryFeatureProvider(dictionary: arrays)
        let result = try model.prediction(from: features)
        var outputs: [String: [Float]] = [:]
        for name in result.featureNames {
            guard let value = result.featureValue(for: name) else { continue }
            if let array = value.multiArrayValue {
                outputs[name] = (0..<array.count).map { array[$0].floatValue }
            } else if value.type == .dictionary {
                let probabilities = value.dictionaryValue
                outputs[name] = try manifest.labels.map { label in
                    guard let probability = probabilities[AnyHashable(label)] else {
                        throw BundleError("Core ML output \(name) has no entry for label \(label)")
                    }
                    return probability.floatValue
                }
            }
        }
        return outputs
    }

    static func units(named name: String) throws -> MLComputeUnits {
        switch name {
        case "ALL": return .all
        case "CPU_ONLY": return .cpuOnly
        case "CPU_AND_GPU": return .cpuAndGPU
        case "CPU_AND_NE": return .cpuAndNeuralEngine
        default: throw BundleError("unknown compute units \(name) in the manifest")
        }
    }

    private static func resource(_ name: String, _ type: String, in bundle: Bundle) throws -> URL {
        guard let url = bundle.url(forResource: name, withExtension: type) else {
            throw BundleError("\(name).\(type) is not in the app bundle; is it in the app target's resources?")
        }
        return url
    }

    private static func int32Array(_ values: [Int32]) throws -> MLMultiArray {
        let array = try MLMultiArray(shape: [1, NSNumber(value: values.count)], dataType: .int32)
        for (index, value) in values.enumerated() {
            array[index] = NSNumber(value: value)
        }
        return array
    }

    private static func milliseconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
        Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1_000_000
    }
}
