import Foundation

/// The parts of an edgepack bundle's manifest.json an app needs: labels, one text or a pair, how to read the
/// outputs, sequence-length rules, and the parity tolerance each variant was verified with.
public struct BundleManifest {
    public static let schemaVersion = 2

    public struct Variant {
        public let name: String
        public let backend: String
        public let recipe: String
        public let file: String
        /// The parity thresholds the variant passed at build time (max_abs_error, min_cosine, ...).
        public let thresholds: [String: Double]
        /// What the build measured against them (max_abs_error, next_token_agreement, ...): the numeric figures.
        public let figures: [String: Double]
        /// Core ML: the compute units the target profile chose ("ALL", "CPU_ONLY", ...).
        public let computeUnits: String?
        /// Core ML: the sequence lengths the package accepts.
        public let sequenceShapes: SequenceShapes?

        /// The file name the app bundles (the manifest path without its folder).
        public var fileName: String { (file as NSString).lastPathComponent }
    }

    public let modelName: String
    public let task: String
    public let labels: [String]
    /// The model reads a pair of texts (the manifest's task.input is "text-pair"): the app asks for both.
    public let pairInput: Bool
    public let postprocessing: Postprocessing
    public let inputNames: [String]
    public let outputNames: [String]
    public let minSeqLen: Int
    public let maxSeqLen: Int
    public let padTokenId: Int
    public let variants: [Variant]

    public init(json data: Data) throws {
        let root = try JSONFields.parse(data, context: "manifest")
        let schema = try root.int("schema_version")
        guard schema == BundleManifest.schemaVersion else {
            throw BundleError("manifest schema \(schema); this app reads schema \(BundleManifest.schemaVersion)")
        }
        let task = try root.object("task")
        let sequence = try root.object("sequence_length")
        modelName = try root.object("model").string("name")
        self.task = try task.string("name")
        labels = try task.strings("labels")
        pairInput = task.has("input") ? try task.string("input") == "text-pair" : false
        postprocessing = try Postprocessing(try task.object("postprocessing"))
        inputNames = try root.objects("inputs").map { try $0.string("name") }
        outputNames = try root.objects("outputs").map { try $0.string("name") }
        minSeqLen = try sequence.int("min")
        maxSeqLen = try sequence.int("max")
        padTokenId = try sequence.int("pad_token_id")
        variants = try root.objects("variants").map { entry in
            let parity = try entry.object("parity")
            let thresholds = try parity.object("thresholds")
            // Figures: only the numbers (a figure the build could not measure is null).
            let figures = parity.object["figures"]?.object ?? JSONObject()
            let details = entry.has("details") ? try entry.object("details") : nil
            return Variant(
                name: try entry.string("name"),
                backend: try entry.string("backend"),
                recipe: try entry.string("recipe"),
                file: try entry.string("file"),
                thresholds: try Dictionary(thresholds.keys.map { ($0, try thresholds.double($0)) }, uniquingKeysWith: { _, last in last }),
                figures: Dictionary(zip(figures.keys, figures.values).compactMap { key, value in value.double.map { (key, $0) } },
                                    uniquingKeysWith: { _, last in last }),
                computeUnits: try details.flatMap { $0.has("compute_units") ? try $0.string("compute_units") : nil },
                sequenceShapes: try details.flatMap { $0.has("sequence_shapes") ? try SequenceShapes(try $0.object("sequence_shapes")) : nil }
            )
        }
    }

    public init(contentsOf url: URL) throws {
        try self.init(json: try Data(contentsOf: url))
    }

    /// The variant whose artifact the app bundles as `fileName` (e.g. "model-fp16.mlpackage").
    public func variant(forFile fileName: String) throws -> Variant {
        guard let variant = variants.first(where: { $0.fileName == fileName }) else {
            throw BundleError("the manifest lists no variant with file \(fileName)")
        }
        return variant
    }
}

/// The sequence lengths a Core ML package accepts: a range, or a few enumerated lengths.
public enum SequenceShapes: Equatable {
    case range(min: Int, max: Int)
    case enumerated([Int])

    init(_ fields: JSONFields) throws {
        switch try fields.string("kind") {
        case "range": self = .range(min: try fields.int("min"), max: try fields.int("max"))
        case "enumerated": self = .enumerated(try fields.ints("lengths").sorted())
        case let other: throw BundleError("\(fields.context).kind \(other) is neither range nor enumerated")
        }
    }

    /// The length `tokens` tokens are padded to, or nil when the model takes no input that long.
    public func acceptedLength(for tokens: Int) -> Int? {
        switch self {
        case let .range(min, max): return tokens <= max ? Swift.max(tokens, min) : nil
        case let .enumerated(lengths): return lengths.first { $0 >= tokens }
        }
    }
}

/// How an app turns the model's outputs into an answer (manifest `task.postprocessing`): its `kind` says
/// which of the kit's post-processing files reads the other fields.
public struct Postprocessing {
    public let kind: String
    let fields: JSONFields

    init(_ fields: JSONFields) throws {
        kind = try fields.string("kind")
        self.fields = fields
    }

    /// The fields of another kind are not this kind's: a wrong call is an error, never a misreading.
    func require(_ expected: String) throws -> JSONFields {
        guard kind == expected else { throw BundleError("this is a \(kind) bundle, not \(expected)") }
        return fields
    }
}
