import Foundation

/// The bundle's golden test vectors (tokenizer/test_vectors.json): texts, the ids Hugging Face
/// gave them at build time, and the eager PyTorch outputs for exactly those ids.
public struct TestVectors {
    public struct Vector {
        public let text: String
        /// The second text of a pair model's input.
        public let textPair: String?
        public let inputIds: [Int]
        /// Segment ids, for a model that takes them.
        public let tokenTypeIds: [Int]?
        public let attentionMask: [Int]
        /// Output name -> values, flattened row-major.
        public let expected: [String: [Float]]
        public let expectedAnswer: String?
    }

    public let outputNames: [String]
    public let vectors: [Vector]

    public init(json data: Data) throws {
        let root = try JSONFields.parse(data, context: "test_vectors")
        outputNames = try root.strings("outputs")
        vectors = try root.objects("vectors").map { vector in
            let expected = try vector.object("expected")
            return Vector(
                text: try vector.string("text"),
                textPair: vector.has("text_pair") ? try vector.string("text_pair") : nil,
                inputIds: try vector.ints("input_ids"),
                tokenTypeIds: vector.has("token_type_ids") ? try vector.ints("token_type_ids") : nil,
                attentionMask: try vector.ints("attention_mask"),
                expected: try Dictionary(expected.keys.map {
                    ($0, try JSONFields.flatFloats(expected.object[$0], "\(expected.context).\($0)"))
                }, uniquingKeysWith: { _, last in last }),
                expectedAnswer: vector.has("expected_answer") ? try vector.string("expected_answer") : nil
            )
        }
    }

    public init(contentsOf url: URL) throws {
        try self.init(json: try Data(contentsOf: url))
    }
}

/// Replays test vectors through the app's tokenizer and a model runner, and reports every
/// difference: ids that differ from Hugging Face's, or outputs further from the eager model
/// than the variant's verified `max_abs_error`. The app's XCTest runs it with Core ML.
public struct VectorReplay {
    public let tokenizer: Tokenizer
    public let manifest: BundleManifest
    public let variant: BundleManifest.Variant

    public init(tokenizer: Tokenizer, manifest: BundleManifest, variant: BundleManifest.Variant) {
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.variant = variant
    }

    /// The tolerance the variant passed at build time; a missing one is an error, not a default.
    public func tolerance() throws -> Double {
        guard let limit = variant.thresholds["max_abs_error"] else {
            throw BundleError("variant \(variant.name) records no max_abs_error threshold")
        }
        return limit
    }

    /// Problems found (empty: every vector matched). `run` maps padded inputs to outputs by name.
    public func problems(_ vectors: TestVectors, run: (ModelInputs) throws -> [String: [Float]]) throws -> [String] {
        let limit = try tolerance()
        var problems: [String] = []
        for vector in vectors.vectors {
            let encoding = tokenizer.encode(vector.text, pair: vector.textPair)
            let padded = tokenizer.pad(encoding, to: vector.inputIds.count)
            if padded.ids != vector.inputIds {
                problems.append("ids of \(quoted(vector.text)): \(padded.ids) != \(vector.inputIds)")
                continue
            }
            if let types = vector.tokenTypeIds, padded.typeIds != types {
                problems.append("segment ids of \(quoted(vector.text)): \(padded.typeIds) != \(types)")
                continue
            }
            let inputs = try ModelInputs.make(encoding: encoding, tokenizer: tokenizer, manifest: manifest, variant: variant)
            let outputs = try run(inputs)
            for name in vectors.outputNames {
                guard let want = vector.expected[name] else { continue }
                guard let got = outputs[name] else {
                    problems.append("\(quoted(vector.text)): the model produced no output \(name)")
                    continue
                }
                guard got.count == want.count else {
                    problems.append("\(name) of \(quoted(vector.text)): \(got.count) values, expected \(want.count)")
                    continue
                }
                let error = zip(got, want).map { Double(abs($0 - $1)) }.max() ?? 0
                if !(error <= limit) {  // also catches NaN
                    problems.append("\(name) of \(quoted(vector.text)): max abs error \(error) > \(limit)")
                }
            }
        }
        return problems
    }

    private func quoted(_ text: String) -> String { "\"\(text.prefix(60))\"" }
}
