import EdgepackKit
import Foundation
import XCTest

/// Replays the bundle's test vectors through the tokenizer, the input padding and the
/// post-processing, with Foundation only (so on Linux as well): the ids must equal the ones
/// Hugging Face produced at build time, and the eager model's reference outputs must
/// post-process to the answer recorded with them.
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
        }
    }

    func testReferenceOutputsPostProcessToTheRecordedAnswer() throws {
        for vector in vectors.vectors {
            let ranked = try Postprocess.classify(vector.expected, manifest: manifest)
            XCTAssertEqual(ranked.first?.label, vector.expectedAnswer, "answer for \"\(vector.text)\"")
            XCTAssertEqual(ranked.map(\.probability).reduce(0, +), 1, accuracy: 1e-3)
        }
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
        // Real (unpadded) token ids -> the vector's eager outputs: a stand-in for the model.
        let byIds = Dictionary(vectors.vectors.map { vector in
            (Array(vector.inputIds.prefix(vector.attentionMask.filter { $0 == 1 }.count)), vector.expected)
        }, uniquingKeysWith: { first, _ in first })
        func reference(_ inputs: ModelInputs) throws -> [String: [Float]] {
            try XCTUnwrap(byIds[inputs.inputIds.prefix(inputs.tokenCount).map(Int.init)], "no vector for \(inputs.inputIds)")
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
