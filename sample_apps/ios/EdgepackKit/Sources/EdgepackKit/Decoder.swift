import Foundation

/// tokenizer.json `decoder`: tokens back to text, as `tokenizers`' Decoder::decode_chain does, one step
/// of the chain per type; `Tokenizer.decode` joins what the chain leaves. Tokens are arrays of scalars
/// (never Swift Strings, whose == merges canonically equivalent text).
protocol Decoder: Sendable {
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]]
}

/// The decoders this kit implements, by tokenizer.json type: a new one is one line here.
enum Decoders {
    private static let readers = ComponentReaders<any Decoder>(kind: "decoder", readers: [
        ("WordPiece", { WordPieceDecoder(prefix: scalars($0["prefix"]?.string ?? "##"), cleanup: $0["cleanup"]?.bool ?? true) }),
        ("ByteLevel", { _ in ByteLevelDecoder() }),
        ("Metaspace", {
            let metaspace = try Metaspace.fromJson($0)
            return MetaspaceDecoder(replacement: metaspace.replacement, prependScheme: metaspace.prependScheme)
        }),
        ("BPEDecoder", { BpeDecoder(suffix: scalars($0["suffix"]?.string ?? "</w>")) }),
        ("Replace", { ReplaceDecoder(replace: Replace(pattern: try Pattern.fromJson($0["pattern"], "Replace decoder"),
                                                      content: scalars($0["content"]?.string ?? ""))) }),
        ("ByteFallback", { _ in ByteFallbackDecoder() }),
        ("Fuse", { _ in FuseDecoder() }),
        ("Strip", {
            let content = scalars($0["content"]?.string ?? " ")
            guard content.count == 1 else { throw UnsupportedTokenizerError("unsupported Strip decoder content: one character is supported") }
            return StripDecoder(content: content[0], start: try intValue($0["start"] ?? .int(0), "Strip decoder start"),
                                stop: try intValue($0["stop"] ?? .int(0), "Strip decoder stop"))
        }),
        ("Sequence", { SequenceDecoder(steps: try ($0["decoders"]?.array ?? []).compactMap { try Decoders.fromJson($0) }) }),
    ])

    static func fromJson(_ value: JSONValue?) throws -> (any Decoder)? { try readers.read(value) }
}

/// A decoder this kit does not implement: decoding fails with the reason.
struct UnsupportedDecoder: Decoder {
    let reason: UnsupportedTokenizerError
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] { throw reason }
}

struct SequenceDecoder: Decoder {
    let steps: [any Decoder]
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] { try steps.reduce(tokens) { try $1.decodeChain($0) } }
}

/// WordPiece: continuation pieces lose their prefix, the others get a space before them; then tokenizers' cleanup.
struct WordPieceDecoder: Decoder {
    let prefix: [UInt32]
    let cleanup: Bool

    private static let cleanups: [([UInt32], [UInt32])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (scalars($0.0), scalars($0.1)) }

    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        tokens.enumerated().map { i, token in
            var joined = token
            if i != 0 { joined = token.starts(with: prefix) ? Array(token.dropFirst(prefix.count)) : [0x20] + token }
            if cleanup { for (from, to) in WordPieceDecoder.cleanups { joined = replacing(joined, from, to) } }
            return joined
        }
    }
}

/// `text` with every non-overlapping occurrence of `from`, left to right, replaced by `to`.
func replacing(_ text: [UInt32], _ from: [UInt32], _ to: [UInt32]) -> [UInt32] {
    var out: [UInt32] = []
    var i = 0
    while i < text.count {
        if i + from.count <= text.count && text[i..<(i + from.count)].elementsEqual(from) {
            out += to
            i += from.count
        } else {
            out.append(text[i])
            i += 1
        }
    }
    return out
}

/// ByteLevel: every character back to the byte it stands for (a token with another character keeps its
/// own UTF-8), all tokens' bytes read as one UTF-8 text, invalid sequences as U+FFFD.
struct ByteLevelDecoder: Decoder {
    private static let byteOf: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for b in 0..<256 { table[ByteLevelRegex.byteChar[b]] = UInt8(b) }
        return table
    }()

    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        var bytes: [UInt8] = []
        for token in tokens {
            let mapped = token.map { ByteLevelDecoder.byteOf[$0] }
            if mapped.allSatisfy({ $0 != nil }) {
                bytes += mapped.map { $0! }
            } else {
                for c in token { appendUTF8(c, to: &bytes) }
            }
        }
        return [UTF8Lossy.decode(bytes)]
    }
}

/// Metaspace: the replacement character becomes a space, except in the first token (unless the
/// pre-tokenizer never prepends one), where every replacement character is dropped.
struct MetaspaceDecoder: Decoder {
    let replacement: UInt32
    let prependScheme: String

    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        tokens.enumerated().map { i, token in
            token.compactMap { c in c != replacement ? c : (i != 0 || prependScheme == "never" ? 0x20 : nil) }
        }
    }
}

/// BPEDecoder: the end-of-word suffix becomes a space, and nothing in the last token.
struct BpeDecoder: Decoder {
    let suffix: [UInt32]
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        tokens.enumerated().map { i, token in replacing(token, suffix, i == tokens.count - 1 ? [] : [0x20]) }
    }
}

/// Replace: in each token, as the Replace normalizer does.
struct ReplaceDecoder: Decoder {
    let replace: Replace
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        tokens.map { replace.normalize(Normalized.of($0, 0, $0.count)).cps }
    }
}

/// ByteFallback: runs of `<0xAB>` tokens become the UTF-8 text they spell, or one U+FFFD per byte when it is not valid.
struct ByteFallbackDecoder: Decoder {
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        var out: [[UInt32]] = []
        var pending: [UInt8] = []
        func flush() {
            if pending.isEmpty { return }
            if let text = UTF8Lossy.decodeStrict(pending) {
                out.append(text)
            } else {
                out += Array(repeating: [0xFFFD], count: pending.count)
            }
            pending.removeAll()
        }
        for token in tokens {
            if token.count == 6 && token.starts(with: scalars("<0x")) && token[5] == 0x3E,
               let byte = UInt8(scalarsToString(token[3..<5]), radix: 16) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }
}

/// Fuse: every token into one.
struct FuseDecoder: Decoder {
    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] { [tokens.flatMap { $0 }] }
}

/// Strip: up to `start` leading and `stop` trailing `content` characters leave each token.
struct StripDecoder: Decoder {
    let content: UInt32
    let start: Int
    let stop: Int

    func decodeChain(_ tokens: [[UInt32]]) throws -> [[UInt32]] {
        tokens.map { token in
            var from = 0
            while from < min(start, token.count) && token[from] == content { from += 1 }
            var to = token.count
            var removed = 0
            while removed < stop && to > from && token[to - 1] == content {
                to -= 1
                removed += 1
            }
            return Array(token[from..<to])
        }
    }
}

/// UTF-8 as Rust reads it: strictly (nil when invalid), or replacing each maximal invalid subpart with U+FFFD.
enum UTF8Lossy {
    static func decodeStrict(_ bytes: [UInt8]) -> [UInt32]? {
        let decoded = decode(bytes)
        var again: [UInt8] = []
        for c in decoded { appendUTF8(c, to: &again) }
        return again == bytes ? decoded : nil
    }

    static func decode(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            // The sequence's length and the range its second byte must fall in (Unicode Table 3-7).
            let (length, low, high): (Int, UInt8, UInt8)
            switch b0 {
            case 0x00...0x7F: (length, low, high) = (1, 0, 0)
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE, 0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            default: (length, low, high) = (0, 0, 0)
            }
            if length == 1 {
                out.append(UInt32(b0))
                i += 1
                continue
            }
            if length == 0 {
                out.append(0xFFFD)
                i += 1
                continue
            }
            var cp = UInt32(b0) & (0xFF >> (length + 1))
            var k = 1
            while k < length && i + k < bytes.count {
                let b = bytes[i + k]
                let ok = k == 1 ? (low...high).contains(b) : (0x80...0xBF).contains(b)
                if !ok { break }
                cp = cp << 6 | UInt32(b & 0x3F)
                k += 1
            }
            out.append(k == length ? cp : 0xFFFD)
            i += k
        }
        return out
    }
}
