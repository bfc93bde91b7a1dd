import EdgepackKit
import Foundation
import XCTest

/// Replays the bundle's test vectors through the tokenizer, the input padding and the
/// post-processing, with Foundation only (so on Linux as well): the ids (and, where the task maps
/// tokens back to the text, offsets, word and sequence ids) must equal the ones Hugging Face
/// produced at build time, and the eager model's reference outputs must post-process to the answer
/// recorded with them (`expected_decoded`, the Python reference's result; scores within
/// `scoreTolerance`).
final class BundleReplayTests: XCTestCase {
    /// The app's bundled resources: App/Resources next to this package, or $EDGEPACK_RESOURCES.
    static let resources: URL = {
        if let path = ProcessInfo.processInfo.environment["EDGEPACK_RESOURCES"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("App/Resources")
    }()

    var tokenizer: Tokenizer!
    var manifest: BundleManifest!
    var vectors: TestVectors!

    override func setUpWithError() throws {
        tokenizer = try Tokenizer(contentsOf: Self.resources.appendingPathComponent("tokenizer.json"))
        manifest = try BundleManifest(contentsOf: Self.resources.appendingPathComponent("manifest.json"))
        vectors = try TestVectors(contentsOf: Self.resources.appendingPathComponent("test_vectors.json"))
        XCTAssertFalse(vectors.vectors.isEmpty, "the bundle has no test vectors")
    }

    func testTokenizerReproducesTheBuildTimeIds() {
        for vector in vectors.vectors {
            let encoding = tokenizer.pad(tokenizer.encode(vector.text, pair: vector.textPair), to: vector.inputIds.count)
            XCTAssertEqual(encoding.ids, vector.inputIds, "ids of \"\(vector.text)\"")
            XCTAssertEqual(encoding.attentionMask, vector.attentionMask, "attention mask of \"\(vector.text)\"")
            if let types = vector.tokenTypeIds {
                XCTAssertEqual(encoding.typeIds, types, "segment ids of \"\(vector.text)\"")
            }
            if let offsets = vector.offsets, let words = vector.wordIds {
                XCTAssertEqual(encoding.offsets, offsets, "offsets of \"\(vector.text)\"")
                XCTAssertEqual(encoding.wordIds, words, "word ids of \"\(vector.text)\"")
            }
            if let sequences = vector.sequenceIds {
                let derived = QuestionAnswering.sequenceIds(encoding, questionTokens: QuestionAnswering.questionTokens(tokenizer, vector.text))
                XCTAssertEqual(derived, sequences, "sequence ids of \"\(vector.text)\"")
            }
        }
    }

    // Scores are float64 from float32 outputs on both sides; only summation order differs.
    static let scoreTolerance = 1e-5

    func testReferenceOutputsPostProcessToTheRecordedAnswer() throws {
        let kind = manifest.postprocessing.kind
        for vector in vectors.vectors {
            let outputs = referenceOutputs(vector)
            let answer: String
            switch kind {
            case Postprocess.kind:
                let ranked = try Postprocess.classify(outputs, manifest: manifest)
                XCTAssertEqual(ranked.map(\.probability).reduce(0, +), 1, accuracy: 1e-3)
                answer = ranked.first?.label ?? ""
            case TokenClassification.kind:
                let entities = try TokenClassification.entities(outputs, manifest: manifest, text: vector.text, encoding: encode(vector))
                assertDecoded(vector, "entities", .list(entities.map {
                    .object(["label": .string($0.label), "start": .number(Double($0.start)), "end": .number(Double($0.end)),
                             "score": .number($0.score), "text": .string($0.text)])
                }))
                answer = entities.map { "\($0.label): \($0.text)" }.joined(separator: "; ")
            case QuestionAnswering.kind:
                let encoding = encode(vector)
                let context = try XCTUnwrap(vector.textPair, "a question-answering vector without its context")
                let sequenceIds = QuestionAnswering.sequenceIds(encoding, questionTokens: QuestionAnswering.questionTokens(tokenizer, vector.text))
                let span = try QuestionAnswering.answer(outputs, manifest: manifest, context: context, attentionMask: encoding.attentionMask,
                                                        sequenceIds: sequenceIds, offsets: encoding.offsets)
                assertDecoded(vector, "answer", span.map {
                    .object(["token_start": .number(Double($0.tokenStart)), "token_end": .number(Double($0.tokenEnd)),
                             "start": .number(Double($0.start)), "end": .number(Double($0.end)), "score": .number($0.score),
                             "text": .string($0.text)])
                } ?? .null)
                answer = span?.text ?? ""
            case FillMask.kind:
                let predictions = try FillMask.predict(outputs, manifest: manifest, inputIds: vector.inputIds,
                                                       attentionMask: vector.attentionMask, tokenizer: tokenizer)
                assertDecoded(vector, "candidates", .list(predictions.map { prediction in
                    .object(["position": .number(Double(prediction.position)), "candidates": .list(prediction.candidates.map {
                        .object(["score": .number($0.score), "token": .number(Double($0.token)), "token_str": .string($0.tokenStr),
                                 "sequence": .string($0.sequence)])
                    })])
                }))
                answer = predictions.map { $0.candidates.first?.tokenStr ?? "" }.joined(separator: " | ")
            case SentenceEmbedding.kind:
                // Every vector's embedding has the manifest's dimension; the rankings are checked below.
                _ = try SentenceEmbedding.embedding(outputs, manifest: manifest)
                answer = ""
            default:
                return XCTFail("no replay for post-processing kind \(kind)")
            }
            XCTAssertEqual(answer, vector.expectedAnswer, "answer for \"\(vector.text)\"")
        }
        if kind == SentenceEmbedding.kind { try searchRanksAsThePythonReference() }
    }

    /// The built-in queries ranked over the app's sentences, from the reference embeddings, as Python ranked them.
    private func searchRanksAsThePythonReference() throws {
        let taskData = try Data(contentsOf: Self.resources.appendingPathComponent("task_data.json"))
        let sentences = try SentenceEmbedding.sentences(taskData: taskData)
        var byText: [String: [Float]] = [:]
        for vector in vectors.vectors where byText[vector.text] == nil {
            byText[vector.text] = try SentenceEmbedding.embedding(referenceOutputs(vector), manifest: manifest)
        }
        guard case .object(let root) = try Decoded.parse(taskData), case .list(let rankings)? = root["reference_rankings"] else {
            return XCTFail("task_data.json has no reference_rankings")
        }
        XCTAssertFalse(rankings.isEmpty, "task_data.json has no reference ranking to replay")
        for case .object(let ranking) in rankings {
            guard case .string(let query)? = ranking["query"], let queryEmbedding = byText[query] else {
                return XCTFail("a reference ranking's query has no test vector: \(ranking)")
            }
            let ranked = SentenceEmbedding.rank(queryEmbedding, try sentences.map { ($0, try XCTUnwrap(byText[$0], "no vector for \($0)")) })
            let actual = Decoded.list(ranked.map { .object(["sentence": .string($0.sentence), "score": .number($0.score)]) })
            let problem = actual.difference(from: ranking["ranked"] ?? .null, tolerance: Self.scoreTolerance)
            XCTAssertNil(problem, "ranking of \"\(query)\": \(problem ?? "")")
        }
    }

    /// The vector's eager outputs by name, over `tokens` positions; rows `expected` leaves out (positions)
    /// are NaN, so reading them fails.
    private func referenceOutputs(_ vector: TestVectors.Vector, tokens: Int? = nil) -> [String: [Float]] {
        guard let positions = vector.positions else { return vector.expected }
        return vector.expected.mapValues { rows in
            let width = positions.isEmpty ? 0 : rows.count / positions.count
            var full = [Float](repeating: .nan, count: (tokens ?? vector.inputIds.count) * width)
            for (row, position) in positions.enumerated() {
                full.replaceSubrange((position * width)..<((position + 1) * width), with: rows[(row * width)..<((row + 1) * width)])
            }
            return full
        }
    }

    private func encode(_ vector: TestVectors.Vector) -> Encoding {
        tokenizer.pad(tokenizer.encode(vector.text, pair: vector.textPair), to: vector.inputIds.count)
    }

    private func assertDecoded(_ vector: TestVectors.Vector, _ what: String, _ actual: Decoded,
                               file: StaticString = #filePath, line: UInt = #line) {
        let problem = actual.difference(from: vector.expectedDecoded, tolerance: Self.scoreTolerance)
        XCTAssertNil(problem, "\(what) of \"\(vector.text)\": \(problem ?? "")\nexpected \(vector.expectedDecoded)\nactual   \(actual)",
                     file: file, line: line)
    }

    func testInputsArePaddedToALengthEachVariantAccepts() throws {
        for variant in manifest.variants where variant.sequenceShapes != nil {
            for vector in vectors.vectors {
                let inputs = try ModelInputs.make(text: vector.text, pair: vector.textPair, tokenizer: tokenizer, manifest: manifest, variant: variant)
                XCTAssertEqual(inputs.tokenTypeIds != nil, manifest.inputNames.contains("token_type_ids"))
                for name in manifest.inputNames {
                    XCTAssertEqual(try inputs.values(named: name).count, inputs.inputIds.count, name)
                }
                XCTAssertEqual(variant.sequenceShapes?.acceptedLength(for: inputs.tokenCount), inputs.inputIds.count)
                XCTAssertEqual(Array(inputs.inputIds.prefix(inputs.tokenCount)).map(Int.init), vector.inputIds.prefix(inputs.tokenCount).map { $0 })
                XCTAssertTrue(inputs.attentionMask.dropFirst(inputs.tokenCount).allSatisfy { $0 == 0 }, "padding is masked")
                XCTAssertTrue(inputs.inputIds.dropFirst(inputs.tokenCount).allSatisfy { Int($0) == manifest.padTokenId })
            }
        }
    }

    /// The replay the app's XCTest runs with Core ML passes on the eager outputs and fails
    /// on outputs further off than the variant's tolerance (so a wrong model cannot pass).
    func testReplayAcceptsReferenceOutputsAndRejectsDriftBeyondTolerance() throws {
        let variant = try XCTUnwrap(manifest.variants.first { $0.backend == "coreml" } ?? manifest.variants.first)
        let replay = VectorReplay(tokenizer: tokenizer, manifest: manifest, variant: variant)
        // Padded ids -> the eager outputs of the longest vector they pad (a stand-in for the model); rows a
        // vector leaves out are zeros, which the replay must not read.
        func reference(_ inputs: ModelInputs) throws -> [String: [Float]] {
            let ids = inputs.inputIds.map(Int.init)
            let vector = try XCTUnwrap(vectors.vectors.filter {
                ids.starts(with: $0.inputIds) && ids.dropFirst($0.inputIds.count).allSatisfy { $0 == manifest.padTokenId }
            }.max { $0.inputIds.count < $1.inputIds.count }, "no vector for \(ids)")
            return referenceOutputs(vector, tokens: ids.count).mapValues { $0.map { $0.isNaN ? 0 : $0 } }
        }
        XCTAssertEqual(try replay.problems(vectors, run: reference), [])

        let drift = Float(try replay.tolerance() * 2)
        let drifted = try replay.problems(vectors) { inputs in try reference(inputs).mapValues { $0.map { $0 + drift } } }
        XCTAssertEqual(drifted.count, vectors.vectors.count * vectors.outputNames.count, drifted.joined(separator: "\n"))
        let nan = try replay.problems(vectors) { inputs in try reference(inputs).mapValues { $0.map { _ in Float.nan } } }
        XCTAssertFalse(nan.isEmpty, "NaN outputs must not pass")
    }

    /// A manifest from a broken or different edgepack gives an error naming the field, not a crash,
    /// and JSON `true` is never read as the number 1.
    func testMalformedManifestsGiveReadableErrors() {
        let cases = [
            ("{\"schema_version\": 2,}", "manifest is not valid JSON"),
            ("{\"schema_version\": true}", "manifest.schema_version is not an integer"),
            ("{\"schema_version\": 1}", "manifest schema 1; this app reads schema 2"),
            ("[]", "manifest is not a JSON object"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try BundleManifest(json: Data(json.utf8)), json) { error in
                XCTAssertTrue("\(error)".contains(message), "\(json): \(error)")
            }
        }
    }
}
