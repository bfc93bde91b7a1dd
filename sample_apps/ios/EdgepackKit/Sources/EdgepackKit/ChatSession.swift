import Foundation

/// A decoder-only language model program with its key/value cache inside (the bundle's text-generation
/// variant): ExecuTorch keeps the cache in the loaded method, Core ML in an MLState. The app implements this
/// over its runtime; the kit's tests implement it over the bundle's test vectors.
public protocol LanguageModel: AnyObject {
    /// Runs `tokens` at cache positions `start`, start + 1, ... (the prompt at 0 in one call, then one token
    /// at a time) and returns the logits row that follows the last of them (vocabulary-sized). Positions
    /// from `start` on are overwritten, so a new conversation simply starts again at 0.
    func nextLogits(_ tokens: [Int], start: Int) throws -> [Float]

    /// Starts a new conversation (Core ML: a fresh MLState); ExecuTorch needs nothing (see `nextLogits`).
    func reset()
}

public extension LanguageModel {
    func reset() {}
}

/// What the manifest's `task.postprocessing` says about generating with the bundle (kind "text-generation").
public struct GenerationSpec: Sendable {
    public static let kind = "text-generation"
    /// A reply's length when generation_config.json sets none (what `edgepack chat` uses).
    public static let defaultNewTokens = 256

    public let vocabSize: Int
    public let bosTokenId: Int?
    /// Ids that end a reply: generation_config.json's eos ids and the chat format's end-of-turn token.
    public let eosTokenIds: Set<Int>
    /// The key/value cache's length: prompt and reply together never exceed it.
    public let maxSeqLen: Int
    /// Nil for a plain language model (no chat template): the conversation is continued as text.
    public let promptFormat: PromptFormat?
    public let sampling: SamplingConfig
    /// generation_config.json's max_new_tokens, else `defaultNewTokens`.
    public let maxNewTokens: Int

    public init(vocabSize: Int, bosTokenId: Int?, eosTokenIds: Set<Int>, maxSeqLen: Int, promptFormat: PromptFormat?,
                sampling: SamplingConfig, maxNewTokens: Int) {
        self.vocabSize = vocabSize
        self.bosTokenId = bosTokenId
        self.eosTokenIds = eosTokenIds
        self.maxSeqLen = maxSeqLen
        self.promptFormat = promptFormat
        self.sampling = sampling
        self.maxNewTokens = maxNewTokens
    }

    /// The manifest's generation settings; a bundle of another task, or a field missing or of the wrong
    /// type, is an error naming it.
    public init(manifest: BundleManifest) throws {
        let spec = try manifest.postprocessing.require(GenerationSpec.kind)
        let generation = try spec.object("generation")
        self.init(
            vocabSize: try spec.int("vocab_size"),
            bosTokenId: spec.has("bos_token_id") ? try spec.int("bos_token_id") : nil,
            eosTokenIds: Set(try spec.ints("eos_token_ids")),
            maxSeqLen: try spec.int("max_seq_len"),
            promptFormat: try PromptFormat(spec.has("prompt_format") ? try spec.object("prompt_format") : nil),
            sampling: try SamplingConfig.defaults(generation),
            maxNewTokens: generation.has("max_new_tokens") ? try generation.int("max_new_tokens") : GenerationSpec.defaultNewTokens
        )
    }
}

/// A conversation's prompt ids: `format`'s strings around the messages, encoded without added special tokens
/// (the strings hold them); without a format (a plain language model) the contents joined, encoded as text
/// with the tokenizer's special tokens, which the model continues.
public func promptIds(_ tokenizer: Tokenizer, _ format: PromptFormat?, _ messages: [ChatMessage]) -> [Int] {
    guard let format else { return tokenizer.encode(messages.map(\.content).joined()).ids }
    return tokenizer.encode(format.render(messages), addSpecialTokens: false).ids
}

/// Why a reply ended, in the words `edgepack chat` prints.
public enum StopReason: String, Sendable {
    case endOfTurnId = "end-of-turn id"
    case endOfTurnText = "end-of-turn text"
    case maxNewTokens = "max-new-tokens"
    case cacheFull = "cache full"
    case stopped = "stopped by the user"

    public var description: String { rawValue }
}

public struct Reply: Sendable {
    public let text: String
    /// The generated ids, without the one that ended the turn.
    public let tokenIds: [Int]
    public let promptTokens: Int
    /// Prefill and the first token's choice, in milliseconds.
    public let firstTokenMillis: Double
    /// Tokens after the first over the time they took.
    public let decodeTokensPerSecond: Double
    public let stoppedBy: StopReason
    /// Oldest turns left out of the prompt so that it fits the cache (see `ChatSession`).
    public let droppedTurns: Int
}

/// A generation that cannot start (an empty prompt).
public struct GenerationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The generation loop: the prompt in one call, then each chosen token at the next position, until
/// `count` tokens, a stop id, or the cache's end. `onToken` sees each token (stop ids too) and returns
/// false to stop. Returns the tokens chosen, stop id included.
public func generate(_ model: any LanguageModel, prompt: [Int], count: Int, sampler: Sampler, stopIds: Set<Int> = [],
                     maxSeqLen: Int = Int.max, onToken: (Int) throws -> Bool = { _ in true }) throws -> [Int] {
    guard !prompt.isEmpty else {
        throw GenerationError("an empty prompt: a language model needs at least one token to continue")
    }
    var generated: [Int] = []
    var logits = try model.nextLogits(prompt, start: 0)
    var position = prompt.count
    while generated.count < count && position < maxSeqLen {
        let token = sampler.choose(logits)
        generated.append(token)
        if try !onToken(token) || stopIds.contains(token) || generated.count == count || position + 1 >= maxSeqLen { break }
        logits = try model.nextLogits([token], start: position)
        position += 1
    }
    return generated
}

/// One conversation with the bundle's model, as `edgepack chat` holds it (builder/chat.py, the reference;
/// ChatSession.kt the same rules): the messages become a prompt with the bundle's `PromptFormat` (or stay
/// plain text), encoded without added special tokens (the format's strings hold them); the reply streams
/// through `TextStreamer` and ends at an end-of-turn id, at the end-of-turn text, after `maxNewTokens`, when
/// the cache is full, or when the user stops it.
///
/// Context window: every turn re-reads the whole conversation (prefill is fast next to decoding, and the
/// prompt is then exactly the template's text, not the reply's sampled ids). When the prompt would leave
/// fewer than `replyRoom` positions of the cache for the reply, the oldest turns (a user message and its
/// reply) are dropped, the system message kept, and the reply says how many; a single message that does not
/// fit is refused with `MessageTooLongError`.
///
/// Not thread-safe: one `send` at a time (the app runs them one after another off the main thread).
public final class ChatSession {
    private let model: any LanguageModel
    private let tokenizer: Tokenizer
    public let spec: GenerationSpec
    public let sampling: SamplingConfig
    public let system: String?
    public let maxNewTokens: Int
    private let clock: () -> UInt64
    private let sampler: Sampler
    private var history: [ChatMessage] = []

    /// `clock` gives nanoseconds (the tests may pass their own).
    public init(model: any LanguageModel, tokenizer: Tokenizer, spec: GenerationSpec, sampling: SamplingConfig? = nil,
                system: String? = nil, maxNewTokens: Int? = nil,
                clock: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) throws {
        guard system == nil || spec.promptFormat != nil else {
            throw GenerationError("this model has no chat template, so it has no system message")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.spec = spec
        self.sampling = sampling ?? spec.sampling
        self.system = system
        self.maxNewTokens = maxNewTokens ?? spec.maxNewTokens
        self.clock = clock
        sampler = Sampler(self.sampling)
    }

    public var messages: [ChatMessage] { history }

    /// Positions kept free for the reply when old turns are dropped: a quarter of the cache, at most `maxNewTokens`.
    public var replyRoom: Int { max(min(maxNewTokens, spec.maxSeqLen / 4), 1) }

    public func reset() {
        history.removeAll()
        model.reset()
    }

    /// The prompt's ids for `messages` (user and assistant turns; the session's system message goes first).
    public func promptIds(_ messages: [ChatMessage]) -> [Int] {
        EdgepackKit.promptIds(tokenizer, spec.promptFormat,
                              (system.map { [ChatMessage(role: ChatMessage.system, content: $0)] } ?? []) + messages)
    }

    /// Adds the user's `text`, generates the reply (streamed to `onText`) and adds it to the conversation.
    /// A message that does not fit the cache even alone throws MessageTooLongError; a model that fails throws
    /// its error. Either way the conversation is left as it was before the call (ChatSession.kt leaves it so for
    /// the first; for the second it would keep the unanswered message, which the next prompt would render as two
    /// user turns in a row).
    public func send(_ text: String, onText: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> Reply {
        let before = history
        history.append(ChatMessage(role: ChatMessage.user, content: text))
        do {
            return try reply(onText: onText, shouldStop: shouldStop)
        } catch {
            history = before
            throw error
        }
    }

    private func reply(onText: (String) -> Void, shouldStop: () -> Bool) throws -> Reply {
        let (prompt, dropped) = try fittingPrompt()
        let stopText = spec.promptFormat?.endOfTurnText ?? ""
        let streamer = TextStreamer(tokenizer: tokenizer, stopStrings: stopText.isEmpty ? [] : [stopText])
        var stoppedBy = StopReason.maxNewTokens
        let started = clock()
        var firstToken: UInt64?
        let count = min(maxNewTokens, spec.maxSeqLen - prompt.count)
        let generated = try generate(model, prompt: prompt, count: count, sampler: sampler, stopIds: spec.eosTokenIds,
                                     maxSeqLen: spec.maxSeqLen) { token in
            if firstToken == nil { firstToken = clock() }
            if spec.eosTokenIds.contains(token) {
                stoppedBy = .endOfTurnId
                return false
            }
            onText(try streamer.add(token))
            if streamer.stopped {
                stoppedBy = .endOfTurnText
                return false
            }
            if shouldStop() {
                stoppedBy = .stopped
                return false
            }
            return true
        }
        let finished = clock()
        if stoppedBy == .maxNewTokens && prompt.count + generated.count >= spec.maxSeqLen { stoppedBy = .cacheFull }
        onText(streamer.flush())
        history.append(ChatMessage(role: ChatMessage.assistant, content: streamer.text))
        let decoded = streamer.tokenIds.count - 1
        let seconds = Double(finished - (firstToken ?? finished)) / 1e9
        return Reply(
            text: streamer.text,
            tokenIds: streamer.tokenIds,
            promptTokens: prompt.count,
            firstTokenMillis: firstToken.map { Double($0 - started) / 1e6 } ?? 0,
            decodeTokensPerSecond: decoded > 0 && seconds > 0 ? Double(decoded) / seconds : 0,
            stoppedBy: stoppedBy,
            droppedTurns: dropped
        )
    }

    /// The prompt, after dropping the oldest turns it needs to; a message that does not fit even alone is refused.
    private func fittingPrompt() throws -> (ids: [Int], dropped: Int) {
        let limit = spec.maxSeqLen - replyRoom
        let alone = promptIds(Array(history.suffix(1))).count
        if alone > limit { throw MessageTooLongError(tokens: alone, limit: limit) }
        var dropped = 0
        while true {
            let ids = promptIds(history)
            if ids.count <= limit { return (ids, dropped) }
            history.removeFirst(2)
            dropped += 1
        }
    }
}

/// A message that takes more of the model's cache than leaves room for a reply (ChatSession.kt's
/// MessageTooLongException).
public struct MessageTooLongError: Error, CustomStringConvertible {
    public let tokens: Int
    public let limit: Int

    public var description: String {
        "the message takes \(tokens) tokens and at most \(limit) fit in the model's cache with room for a reply; write a shorter one"
    }
}
