import Foundation

/// A reply's text as its tokens arrive, in pieces that are safe to show: the whole reply is decoded
/// again at every token (so the text always equals `tokenizer.decode(ids)`, whatever the decoder does
/// at word starts), and the new end is held back while it
/// - ends in U+FFFD: a byte-level or byte-fallback token stopped inside a multi-byte character, whose
///   other bytes come with the next tokens;
/// - could be the start of a stop string (the chat format's end-of-turn text): "<|im" is not shown
///   until the next tokens tell whether "_end|>" follows.
/// When a stop string appears, the text ends before it and `stopped` turns true.
///
/// Text is handled as Unicode scalars (code points, as Python's str): a piece never ends inside a
/// scalar, stop strings are found scalar for scalar (String's own search would match canonically
/// equivalent text), and the pieces joined are exactly `text`. A piece may start with a combining
/// scalar that joins the previous piece's last character on screen, as appending it does.
public final class TextStreamer {
    private let tokenizer: Tokenizer
    private let stops: [[UInt32]]
    private var ids: [Int] = []
    private var decoded: [UInt32] = []
    private var shown: [UInt32] = []

    public init(tokenizer: Tokenizer, stopStrings: [String] = []) {
        self.tokenizer = tokenizer
        stops = stopStrings.map { scalars($0) }.filter { !$0.isEmpty }
    }

    /// The reply so far (up to a stop string), including what is held back.
    public var text: String { scalarsToString(decoded) }

    public private(set) var stopped = false

    public var tokenIds: [Int] { ids }

    /// Adds a generated token; returns the text that became safe to show ("" when none did). Throws
    /// UnsupportedTokenizerError when the tokenizer cannot decode (a decoder the kit does not implement).
    public func add(_ id: Int) throws -> String {
        precondition(!stopped, "the reply already ended at a stop string")
        ids.append(id)
        var text = scalars(try tokenizer.decode(ids, skipSpecialTokens: true))
        if let stop = stops.compactMap({ TextStreamer.firstIndex(of: $0, in: text) }).min() {
            text.removeSubrange(stop...)
            stopped = true
        }
        decoded = text
        if stopped { return flush() }
        var safe = text.count
        while safe > 0 && text[safe - 1] == 0xFFFD { safe -= 1 }
        safe -= stops.map { TextStreamer.heldPrefix(text[..<safe], $0) }.max() ?? 0
        return emit(safe)
    }

    /// The rest of the text at the end of the reply (nothing is held back any more).
    public func flush() -> String { emit(decoded.count) }

    private func emit(_ end: Int) -> String {
        // Decoding more tokens can rewrite the end of what was shown (rare: a decoder that strips); the final
        // text is then only in `text`, never shown twice.
        if end <= shown.count || !decoded.starts(with: shown) { return "" }
        let piece = decoded[shown.count..<end]
        shown = Array(decoded[..<end])
        return scalarsToString(piece)
    }

    /// Where `stop` first occurs in `text`, in scalars.
    private static func firstIndex(of stop: [UInt32], in text: [UInt32]) -> Int? {
        guard stop.count <= text.count else { return nil }
        for start in 0...(text.count - stop.count) where text[start] == stop[0] {
            if text[start..<(start + stop.count)].elementsEqual(stop) { return start }
        }
        return nil
    }

    /// The length of the longest end of `text` that is a proper start of `stop`.
    private static func heldPrefix(_ text: ArraySlice<UInt32>, _ stop: [UInt32]) -> Int {
        var length = min(stop.count - 1, text.count)
        while length >= 1 {
            if text.suffix(length).elementsEqual(stop.prefix(length)) { return length }
            length -= 1
        }
        return 0
    }
}
