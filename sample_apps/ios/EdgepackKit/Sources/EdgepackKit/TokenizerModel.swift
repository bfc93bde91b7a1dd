import Foundation

/// A token of a word: its id, its text, and [start, end) in code points of the original text.
struct Tok {
    let id: Int
    let value: String
    let start: Int
    let end: Int
}

/// What the pipeline needs of a tokenizer model (tokenizer.json `model`).
protocol TokenizerModel: Sendable {
    /// Token -> id.
    var vocab: Vocab { get }

    /// The tokens of one pre-tokenized word, aligned through `word.normalized`.
    func tokenize(_ word: Split) -> [Tok]
}

/// The models this kit implements, by tokenizer.json `model.type`: a new model is its own file and one line here.
enum TokenizerModels {
    private static let readers = ComponentReaders<any TokenizerModel>(kind: "model", readers: [
        ("WordPiece", { try WordPieceModel.fromJson($0) }),
        ("BPE", { try BpeModel.fromJson($0) }),
        ("Unigram", { try UnigramModel.fromJson($0) }),
    ])

    static func fromJson(_ model: JSONObject) throws -> any TokenizerModel { try readers.read(.object(model))! }
}

/// A vocabulary keyed by exact UTF-8 bytes (never by canonically equivalent Swift strings).
struct Vocab {
    private let ids: [TokenKey: Int]
    private let tokens: [Int: String]

    init(_ json: JSONObject) throws {
        var ids: [TokenKey: Int] = [:]
        var tokens: [Int: String] = [:]
        ids.reserveCapacity(json.count)
        for (key, value) in zip(json.keys, json.values) {
            let id = try intValue(value, "vocab id")
            ids[TokenKey(key)] = id
            tokens[id] = key
        }
        self.ids = ids
        self.tokens = tokens
    }

    /// Pieces in id order (a Unigram vocabulary); a repeated piece keeps its last id.
    init(pieces: [String]) {
        var ids: [TokenKey: Int] = [:]
        var tokens: [Int: String] = [:]
        ids.reserveCapacity(pieces.count)
        for (id, piece) in pieces.enumerated() {
            ids[TokenKey(piece)] = id
            tokens[id] = piece
        }
        self.ids = ids
        self.tokens = tokens
    }

    func id(_ token: String) -> Int? { ids[TokenKey(token)] }
    func id(bytes: [UInt8]) -> Int? { ids[TokenKey(bytes: bytes)] }
    func token(_ id: Int) -> String? { tokens[id] }
}

private struct TokenKey: Hashable {
    let bytes: [UInt8]

    init(_ s: String) { bytes = Array(s.utf8) }
    init(bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: TokenKey, b: TokenKey) -> Bool { a.bytes == b.bytes }
}
