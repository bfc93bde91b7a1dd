import EdgepackKit
import Foundation

/// What the chat screen hears about one reply, in order: its text as it becomes safe to show, then how it ended.
enum ChatEvent: Sendable {
    case text(String)
    case finished(Result<Reply, any Error>)
}

/// The chat screen's conversation, generated off the main thread: the kit's ChatSession (prompt format,
/// tokens, sampling, stop rules, context window: the same rules as `edgepack chat`) on a background queue,
/// its streamed text delivered in order through an AsyncStream the screen reads on the main actor.
///
/// Foundation and EdgepackKit only (no SwiftUI), so it is typechecked on Linux with the app's other
/// non-UI files. Sendable because the session is only used on `queue`, one reply at a time (the screen
/// sends again only after `finished`), and the stop flag is behind a lock.
final class ChatWorker: @unchecked Sendable {
    private let session: ChatSession
    private let queue = DispatchQueue(label: "dev.edgepack.chat", qos: .userInitiated)
    private let lock = NSLock()
    private var stopRequested = false

    init(session: ChatSession) {
        self.session = session
    }

    /// Sends `text` and generates the reply: its pieces, then `.finished` with the reply (its stop reason,
    /// dropped turns, timings) or the error (MessageTooLongError: the conversation is unchanged).
    func send(_ text: String) -> AsyncStream<ChatEvent> {
        let (events, continuation) = AsyncStream.makeStream(of: ChatEvent.self)
        setStop(false)
        queue.async { [self] in
            let outcome = Result<Reply, any Error> {
                try session.send(text, onText: { piece in
                    if !piece.isEmpty { continuation.yield(.text(piece)) }
                }, shouldStop: { self.stopIsRequested })
            }
            continuation.yield(.finished(outcome))
            continuation.finish()
        }
        return events
    }

    /// Ends the reply being generated after its current token (the reply keeps what was generated).
    func stop() {
        setStop(true)
    }

    /// Forgets the conversation (and, on Core ML, the model's state), after any reply being generated.
    func reset() {
        queue.async { [self] in session.reset() }
    }

    private var stopIsRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    private func setStop(_ value: Bool) {
        lock.lock()
        stopRequested = value
        lock.unlock()
    }

    /// The line under a reply: why it ended when not at the end of its turn, and the turns it left out.
    static func notes(_ reply: Reply) -> [String] {
        var notes: [String] = []
        if reply.stoppedBy != .endOfTurnId && reply.stoppedBy != .endOfTurnText {
            notes.append("reply ended: \(reply.stoppedBy.description)")
        }
        if reply.droppedTurns > 0 {
            notes.append("the conversation outgrew the model's cache: its \(reply.droppedTurns) oldest turn(s) were left out")
        }
        return notes
    }

    /// Time to first token and decoding speed.
    static func latency(_ reply: Reply) -> String {
        "\(reply.promptTokens) prompt tokens · first token \(String(format: "%.0f", reply.firstTokenMillis)) ms · "
            + "\(reply.tokenIds.count) tokens · \(String(format: "%.1f", reply.decodeTokensPerSecond)) tokens/s"
    }
}
