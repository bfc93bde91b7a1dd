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
        /// The Python reference's post-processed answer (entities, span, candidates); null when there is none.
        public let expectedDecoded: Decoded
        /// Tasks that map tokens back to the text: each token's [start, end) code points, its word id and
        /// (pairs) its sequence id; -1 where a token has none.
        public let offsets: [[Int]]?
        public let wordIds: [Int]?
        public let sequenceIds: [Int]?
        /// The sequence positions whose rows `expected` holds (fill-mask's mask rows); nil: whole outputs.
        public let positions: [Int]?
        /// Text generation: `inputIds` is the prompt's `promptLength` ids followed by the eager model's greedy
        /// continuation; `expected` holds one summary row per position (builder/tasks/text_generation.py), at
        /// the reference's best ids `topIds` of each position; `messages`: the conversation a chat vector's
        /// prompt renders (nil: a plain text prompt).
        public let promptLength: Int?
        public let topIds: [[Int]]?
        public let messages: [ChatMessage]?

        /// A model output over `tokens` positions as `expected` stores it: only the `positions` rows, and no
        /// rows past the vector's own length when the variant had to pad further (`count`: expected's).
        public func asStored(_ output: [Float], tokens: Int, count: Int) -> [Float] {
            if output.count == count && positions == nil { return output }
            guard tokens > 0, output.count % tokens == 0 else { return output }
            let width = output.count / tokens
            if let positions { return positions.flatMap { output[($0 * width)..<(($0 + 1) * width)] } }
            return Array(output.prefix(width * inputIds.count))
        }
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
                expectedAnswer: vector.has("expected_answer") ? try vector.string("expected_answer") : nil,
                expectedDecoded: Decoded(vector.object["expected_decoded"]),
                offsets: vector.has("offsets") ? try vector.array("offsets").enumerated().map { index, pair in
                    try JSONFields.ints(pair, "\(vector.context).offsets[\(index)]")
                } : nil,
                wordIds: vector.has("word_ids") ? try vector.optionalInts("word_ids") : nil,
                sequenceIds: vector.has("sequence_ids") ? try vector.optionalInts("sequence_ids") : nil,
                positions: vector.has("positions") ? try vector.ints("positions") : nil,
                promptLength: vector.has("prompt_length") ? try vector.int("prompt_length") : nil,
                topIds: vector.has("top_ids") ? try vector.array("top_ids").enumerated().map { index, row in
                    try JSONFields.ints(row, "\(vector.context).top_ids[\(index)]")
                } : nil,
                messages: vector.has("messages") ? try vector.array("messages").enumerated().map { index, pair in
                    let context = "\(vector.context).messages[\(index)]"
                    guard let items = pair.array, items.count == 2, let role = items[0].string, let content = items[1].string else {
                        throw BundleError("\(context) is not a [role, content] pair of strings")
                    }
                    return ChatMessage(role: role, content: content)
                } : nil
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
            // At the vector's own length when the variant takes it: a padded vector checks the model there.
            let inputs = try ModelInputs.make(encoding: padded, tokenizer: tokenizer, manifest: manifest, variant: variant)
            let outputs = try run(inputs)
            for name in vectors.outputNames {
                guard let want = vector.expected[name] else { continue }
                guard let whole = outputs[name] else {
                    problems.append("\(quoted(vector.text)): the model produced no output \(name)")
                    continue
                }
                let got = vector.asStored(whole, tokens: inputs.inputIds.count, count: want.count)
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

/// A JSON value of the test vectors, read as it is (numbers as Double), for comparing a kit's answer
/// with the Python reference's `expected_decoded`.
public indirect enum Decoded: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Decoded])
    case object([String: Decoded])

    init(_ value: JSONValue?) {
        switch value {
        case nil, .null?: self = .null
        case .bool(let flag)?: self = .bool(flag)
        case .int(let number)?: self = .number(Double(number))
        case .double(let number)?: self = .number(number)
        case .string(let text)?: self = .string(text)
        case .array(let items)?: self = .list(items.map { Decoded($0) })
        case .object(let object)?: self = .object(Dictionary(zip(object.keys, object.values.map { Decoded($0) }), uniquingKeysWith: { _, last in last }))
        }
    }

    /// A whole JSON document (e.g. the app's task_data.json).
    public static func parse(_ data: Data) throws -> Decoded {
        Decoded(try JSONParser.parse(data, source: "JSON", error: BundleError.init))
    }

    /// The first difference from `expected` (nil: none), numbers within `tolerance`.
    public func difference(from expected: Decoded, tolerance: Double, at path: String = "") -> String? {
        switch (expected, self) {
        case let (.number(want), .number(got)):
            return abs(want - got) <= tolerance ? nil : "\(path): \(got) != \(want)"
        case let (.list(want), .list(got)):
            guard want.count == got.count else { return "\(path): \(got.count) items, expected \(want.count)" }
            return zip(want, got).enumerated().lazy.compactMap { $1.1.difference(from: $1.0, tolerance: tolerance, at: "\(path)[\($0)]") }.first
        case let (.object(want), .object(got)):
            guard Set(want.keys) == Set(got.keys) else { return "\(path): keys \(got.keys.sorted()) != \(want.keys.sorted())" }
            return want.keys.sorted().lazy.compactMap { got[$0]!.difference(from: want[$0]!, tolerance: tolerance, at: "\(path).\($0)") }.first
        default:
            return expected == self ? nil : "\(path): \(self) != \(expected)"
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return String(number)
        case .string(let text): return "\"\(text)\""
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let fields): return "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}
