import EdgepackKit
import Foundation
import XCTest

/// Replays a text-generation bundle's test vectors through the chat kit, with Foundation only (so on Linux
/// as well), as GenerationReplayTest.kt does on the JVM: the prompts' ids (plain and chat-formatted) must be
/// the ones Hugging Face gave at build time; greedy generation over the recorded logits must give the eager
/// model's continuation, id for id, through the kit's own loop (prompt at position 0, then one token per
/// call); streaming it must give the recorded text; a chat turn must stop where the stop rules say; a
/// conversation that outgrows the cache must drop its oldest turns and refuse a message too long; and the
/// sampler must draw what `edgepack chat`'s does.
final class GenerationReplayTests: XCTestCase {
    /// The app's bundled resources: App/Resources next to this package, or $EDGEPACK_RESOURCES.
    static let resources: URL = {
        if let path = ProcessInfo.processInfo.environment["EDGEPACK_RESOURCES"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("App/Resources")
    }()

    // A summary row: max, 5th largest, logsumexp, then the logits of the reference's best ids (builder/tasks/text_generation.py).
    static let topColumn = 3

    var tokenizer: Tokenizer!
    var manifest: BundleManifest!
    var spec: GenerationSpec!
    var vectors: [TestVectors.Vector]!

    override func setUpWithError() throws {
        tokenizer = try Tokenizer(contentsOf: Self.resources.appendingPathComponent("tokenizer.json"))
        manifest = try BundleManifest(contentsOf: Self.resources.appendingPathComponent("manifest.json"))
        spec = try GenerationSpec(manifest: manifest)
        vectors = try TestVectors(contentsOf: Self.resources.appendingPathComponent("test_vectors.json")).vectors
        XCTAssertFalse(vectors.isEmpty, "the bundle has no test vectors")
    }

    func testPromptsTokenizeToTheBuildTimeIds() throws {
        for vector in vectors {
            let expected = try prompt(vector)
            let ids = vector.messages.map { promptIds(tokenizer, spec.promptFormat, $0) } ?? tokenizer.encode(vector.text).ids
            // The build keeps at most max_seq_len - 1 prompt tokens of a long sample text.
            let kept = vector.messages == nil && ids.count > expected.count && expected.count == manifest.maxSeqLen - 1
                ? Array(ids.prefix(expected.count)) : ids
            XCTAssertEqual(kept, expected, "prompt ids of \"\(vector.text)\"")
        }
    }

    func testGreedyGenerationOverTheRecordedLogitsGivesTheReferenceContinuation() throws {
        for vector in vectors {
            let expected = try continuation(vector)
            let model = try RecordedModel(vector, vocabSize: spec.vocabSize)
            let generated = try generate(model, prompt: try prompt(vector), count: expected.count, sampler: Sampler(SamplingConfig()),
                                         maxSeqLen: spec.maxSeqLen)
            XCTAssertEqual(generated, expected, "greedy continuation of \"\(vector.text)\"")
            XCTAssertEqual(model.calls, expected.count, "model calls for \"\(vector.text)\"")
            // Streamed one token at a time, the pieces make the recorded text; none ends inside a character.
            let streamer = TextStreamer(tokenizer: tokenizer)
            let pieces = try generated.map { try streamer.add($0) } + [streamer.flush()]
            XCTAssertTrue(Self.same(pieces.joined(), try XCTUnwrap(vector.expectedAnswer)),
                          "streamed text of \"\(vector.text)\": \(pieces.joined().debugDescription) != \(vector.expectedAnswer.debugDescription)")
            XCTAssertTrue(Self.same(try tokenizer.decode(generated), streamer.text), "streamer text of \"\(vector.text)\"")
            if !streamer.text.unicodeScalars.contains("\u{FFFD}") {
                XCTAssertTrue(pieces.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") }, "a piece of \"\(vector.text)\" ends inside a character")
            }
        }
    }

    func testAChatTurnStopsAtTheEndOfTurnAndKeepsTheReply() throws {
        let chat = vectors.first { $0.messages != nil } ?? vectors[0]
        let continuation = try continuation(chat)
        let session = try ChatSession(model: try RecordedModel(chat, vocabSize: spec.vocabSize), tokenizer: tokenizer, spec: spec,
                                      sampling: SamplingConfig(), maxNewTokens: continuation.count)
        var streamed = ""
        let reply = try session.send(chat.text, onText: { streamed += $0 })
        // What the stop rules leave of the recorded continuation: up to the first end-of-turn id, then up to the
        // end-of-turn text.
        let end = continuation.firstIndex { spec.eosTokenIds.contains($0) }
        let kept = end.map { Array(continuation.prefix($0)) } ?? continuation
        var text = try tokenizer.decode(kept)
        let stopText = spec.promptFormat?.endOfTurnText ?? ""
        let stopAt = stopText.isEmpty ? nil : Self.index(of: stopText, in: text)
        if let stopAt { text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(stopAt))) }
        XCTAssertTrue(Self.same(reply.text, text), "reply \(reply.text.debugDescription) != \(text.debugDescription)")
        XCTAssertTrue(Self.same(streamed, text), "streamed \(streamed.debugDescription) != \(text.debugDescription)")
        XCTAssertEqual(reply.promptTokens, try prompt(chat).count)
        XCTAssertEqual(Array(kept.prefix(reply.tokenIds.count)), reply.tokenIds)
        let why: StopReason = stopAt != nil ? .endOfTurnText : end != nil ? .endOfTurnId : .maxNewTokens
        XCTAssertEqual(reply.stoppedBy, why)
        XCTAssertEqual(session.messages.map(\.role), [ChatMessage.user, ChatMessage.assistant])
    }

    func testAConversationOutgrowingTheCacheDropsItsOldestTurnsAndRefusesAMessageTooLong() throws {
        // A cache of 64 positions and replies of at most 8 tokens (the reply's room: 8); the model answers one
        // token, then an end-of-turn id.
        let small = GenerationSpec(vocabSize: spec.vocabSize, bosTokenId: spec.bosTokenId, eosTokenIds: spec.eosTokenIds, maxSeqLen: 64,
                                   promptFormat: spec.promptFormat, sampling: SamplingConfig(), maxNewTokens: 8)
        let end = try XCTUnwrap(spec.eosTokenIds.min(), "the bundle has no end-of-turn id")
        let model = OneTokenModel(vocabSize: spec.vocabSize, end: end)
        let system = spec.promptFormat != nil ? "Be brief." : nil
        let session = try ChatSession(model: model, tokenizer: tokenizer, spec: small, sampling: SamplingConfig(), system: system)
        XCTAssertEqual(session.replyRoom, 8)
        let dropped = try (0..<6).map { try session.send("message number \($0) about my order").droppedTurns }
        XCTAssertEqual(dropped.first, 0)
        XCTAssertGreaterThan(dropped.reduce(0, +), 0, "no turn was dropped: \(dropped)")
        XCTAssertTrue(model.prompts.allSatisfy { $0.count <= 64 - 8 }, "prompt lengths \(model.prompts.map(\.count))")
        XCTAssertEqual(session.messages[session.messages.count - 2], ChatMessage(role: ChatMessage.user, content: "message number 5 about my order"))
        if let system, let last = model.prompts.last {
            XCTAssertTrue(try tokenizer.decode(last, skipSpecialTokens: false).contains(system), "the system message was dropped")
        }
        let before = session.messages
        XCTAssertThrowsError(try session.send(String(repeating: "order ", count: 80))) { error in
            XCTAssertTrue(error is MessageTooLongError, "a message too long was not refused: \(error)")
        }
        XCTAssertEqual(session.messages, before)
    }

    /// Answers one token, then an end-of-turn id; records each prompt it prefills.
    final class OneTokenModel: LanguageModel {
        private let vocabSize: Int
        private let end: Int
        private(set) var prompts: [[Int]] = []

        init(vocabSize: Int, end: Int) {
            self.vocabSize = vocabSize
            self.end = end
        }

        func nextLogits(_ tokens: [Int], start: Int) throws -> [Float] {
            if start == 0 { prompts.append(tokens) }
            var row = [Float](repeating: 0, count: vocabSize)
            row[start == 0 ? (end + 1) % vocabSize : end] = 10
            return row
        }
    }

    func testTheSamplerDrawsWhatEdgepackChatDraws() throws {
        let taskData = try Decoded.parse(try Data(contentsOf: Self.resources.appendingPathComponent("task_data.json")))
        guard case .object(let root) = taskData, case .list(let checks)? = root["sampling_checks"] else {
            return XCTFail("task_data.json has no sampling_checks")
        }
        XCTAssertFalse(checks.isEmpty, "task_data.json has no sampling check")
        for case .object(let check) in checks {
            guard case .object(let settings)? = check["settings"], case .number(let temperature)? = settings["temperature"],
                  case .number(let topK)? = settings["top_k"], case .number(let topP)? = settings["top_p"],
                  case .number(let seed)? = settings["seed"], case .number(let index)? = check["vector"],
                  case .list(let draws)? = check["draws"] else {
                return XCTFail("a malformed sampling check: \(check)")
            }
            let config = SamplingConfig(doSample: true, temperature: temperature, topK: Int(topK), topP: topP, seed: Int64(seed))
            let vector = vectors[Int(index)]
            let model = try RecordedModel(vector, vocabSize: spec.vocabSize)
            let sampler = Sampler(config)
            let drawn = vector.inputIds.indices.map { sampler.choose(model.row($0)) }
            XCTAssertEqual(drawn.map { Decoded.number(Double($0)) }, draws, "draws with \(Decoded.object(settings))")
        }
        // Greedy is the sampler at temperature 0, and top-k 1 is greedy too.
        let row = try RecordedModel(vectors[0], vocabSize: spec.vocabSize).row(0)
        XCTAssertEqual(Sampler(SamplingConfig(doSample: true, temperature: 0)).choose(row), Sampler.argmax(row))
        XCTAssertEqual(Sampler(SamplingConfig(doSample: true, topK: 1, seed: 3)).choose(row), Sampler.argmax(row))
        XCTAssertFalse(SamplingConfig(doSample: true).greedy)
    }

    /// The model as the vector recorded it: at each position, the reference's best ids with their logits and
    /// every other id at -inf. It checks that it is fed the recorded tokens at their positions, as an app feeds them.
    final class RecordedModel: LanguageModel {
        private let ids: [Int]
        private let topIds: [[Int]]
        private let summary: [Float]
        private let width: Int
        private let vocabSize: Int
        private(set) var calls = 0
        private var next = 0

        init(_ vector: TestVectors.Vector, vocabSize: Int) throws {
            ids = vector.inputIds
            topIds = try XCTUnwrap(vector.topIds, "a text-generation vector without top_ids")
            summary = try XCTUnwrap(vector.expected["logits"], "a text-generation vector without logits")
            width = summary.count / max(ids.count, 1)
            self.vocabSize = vocabSize
        }

        func row(_ position: Int) -> [Float] {
            var row = [Float](repeating: -.infinity, count: vocabSize)
            for (k, id) in topIds[position].enumerated() {
                row[id] = summary[position * width + GenerationReplayTests.topColumn + k]
            }
            return row
        }

        func nextLogits(_ tokens: [Int], start: Int) throws -> [Float] {
            XCTAssertEqual(start, next, "cache position")
            XCTAssertEqual(tokens, Array(ids[min(start, ids.count)..<min(ids.count, start + tokens.count)]),
                           "tokens at positions \(start)..")
            calls += 1
            next = start + tokens.count
            return row(next - 1)
        }
    }

    /// Exact equality, scalar for scalar (String's `==` is canonical equivalence).
    static func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

    /// Where `needle` first occurs in `text`, in scalars.
    static func index(of needle: String, in text: String) -> Int? {
        let hay = Array(text.unicodeScalars), want = Array(needle.unicodeScalars)
        guard !want.isEmpty, want.count <= hay.count else { return nil }
        return (0...(hay.count - want.count)).first { hay[$0..<($0 + want.count)].elementsEqual(want) }
    }

    private func prompt(_ vector: TestVectors.Vector) throws -> [Int] {
        Array(vector.inputIds.prefix(try XCTUnwrap(vector.promptLength, "a text-generation vector without prompt_length")))
    }

    private func continuation(_ vector: TestVectors.Vector) throws -> [Int] {
        Array(vector.inputIds.dropFirst(try XCTUnwrap(vector.promptLength, "a text-generation vector without prompt_length")))
    }
}
