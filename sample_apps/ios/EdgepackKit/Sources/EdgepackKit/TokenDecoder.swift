import Foundation

/// Token ids back to text with tokenizer.json's `decoder`, as tokenizers' `Tokenizer.decode` does: each id
/// becomes its added token or vocabulary entry (unknown ids are dropped, special tokens too when asked),
/// then the decoder joins them. Implemented: no decoder (joined with spaces), WordPiece, ByteLevel;
/// builder/apps/decoder_support.py refuses an app for a bundle that needs any other.
public struct TokenDecoder: Sendable {
    private let tokens: [Int: String]
    private let special: Set<String>
    private let kind: String?
    private let prefix: String
    private let cleanup: Bool

    public init(json data: Data) throws {
        let root = try JSONFields.parse(data, context: "tokenizer.json")
        let vocab = try root.object("model").object("vocab")
        var tokens: [Int: String] = [:]
        for (token, id) in zip(vocab.object.keys, vocab.object.values) {
            tokens[try JSONFields.int(id, "\(vocab.context).\(token)")] = token
        }
        var special = Set<String>()
        for added in root.has("added_tokens") ? try root.objects("added_tokens") : [] {
            let content = try added.string("content")
            tokens[try added.int("id")] = content
            if try added.bool("special", default: false) { special.insert(content) }
        }
        let decoder = root.has("decoder") ? try root.object("decoder") : nil
        let kind = try decoder?.string("type")
        guard kind == nil || kind == "WordPiece" || kind == "ByteLevel" else {
            throw BundleError("tokenizer.json decoder \(kind ?? "") is not one the kit implements (WordPiece, ByteLevel)")
        }
        self.tokens = tokens
        self.special = special
        self.kind = kind
        prefix = try decoder.flatMap { $0.has("prefix") ? try $0.string("prefix") : nil } ?? "##"
        cleanup = try decoder?.bool("cleanup", default: true) ?? true
    }

    public init(contentsOf url: URL) throws {
        try self.init(json: try Data(contentsOf: url))
    }

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let pieces = ids.compactMap { tokens[$0] }.filter { !skipSpecialTokens || !special.contains($0) }
        switch kind {
        case "WordPiece":
            return pieces.enumerated().map { i, piece -> String in
                let scalars = Array(piece.unicodeScalars), marker = Array(prefix.unicodeScalars)
                var joined = scalars
                if i > 0 { joined = scalars.starts(with: marker) ? Array(scalars.dropFirst(marker.count)) : [" "] + scalars }
                return String(String.UnicodeScalarView(cleanup ? TokenDecoder.cleanUp(joined) : joined))
            }.joined()
        case "ByteLevel":
            return TokenDecoder.byteLevel(pieces)
        default:
            return pieces.joined(separator: " ")
        }
    }

    // tokenizers' WordPiece cleanup, applied to each joined piece; matched on code points as Rust matches bytes.
    private static let cleanups: [([Unicode.Scalar], [Unicode.Scalar])] = ([
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ] as [(String, String)]).map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) }

    private static func cleanUp(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        cleanups.reduce(text) { text, rule in replaceAll(text, rule.0, rule.1) }
    }

    private static func replaceAll(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar], _ replacement: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count && Array(text[i..<(i + pattern.count)]) == pattern {
                out += replacement
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    // GPT-2's bytes_to_unicode, inverted: the character standing for each byte.
    private static let bytes: [UInt32: UInt8] = {
        let direct = Set(Array(33...126) + Array(161...172) + Array(174...255))
        var table: [UInt32: UInt8] = [:]
        var shifted: UInt32 = 0
        for byte in 0...255 {
            let char = direct.contains(byte) ? UInt32(byte) : 256 + shifted
            if !direct.contains(byte) { shifted += 1 }
            table[char] = UInt8(byte)
        }
        return table
    }()

    // A piece with a character outside the table keeps its own UTF-8 bytes; invalid UTF-8 becomes U+FFFD.
    private static func byteLevel(_ pieces: [String]) -> String {
        var out: [UInt8] = []
        for piece in pieces {
            let mapped = piece.unicodeScalars.map { bytes[$0.value] }
            if mapped.allSatisfy({ $0 != nil }) { out += mapped.map { $0! } } else { out += Array(piece.utf8) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
