import Foundation

/// One message of a conversation: `role` is "system" (first message only), "user" or "assistant".
public struct ChatMessage: Equatable, Sendable {
    public static let system = "system"
    public static let user = "user"
    public static let assistant = "assistant"

    public let role: String
    public let content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// Exact equality, scalar for scalar (String's `==` would call "é" and "e\u{301}" equal).
    public static func == (a: ChatMessage, b: ChatMessage) -> Bool {
        sameScalars(a.role, b.role) && sameScalars(a.content, b.content)
    }
}

/// The checkpoint's chat template as the fixed strings the build cut out of it (manifest
/// `task.postprocessing.prompt_format`): an app cannot run Jinja, so the build rendered the template on
/// sentinel conversations, kept the text between the messages, and checked that joining these strings
/// reproduces the template's own text on several real conversations (builder/prompt_format.py, whose
/// `PromptFormat.render` this mirrors, as PromptFormat.kt does):
///
///     (systemPrefix + system + afterSystem, or noSystemPrefix) + user1 + userToAssistant + assistant1
///     + assistantToUser + user2 + ... + userN + generationPrompt
///
/// Strings are joined as they are (Swift's concatenation keeps every scalar; only its comparisons are
/// canonical), and trimmed scalar by scalar.
public struct PromptFormat: Sendable {
    public let systemPrefix: String
    public let afterSystem: String
    public let noSystemPrefix: String
    public let userToAssistant: String
    public let assistantToUser: String
    public let generationPrompt: String
    /// What follows an assistant turn before the next user turn: the text a reply ends with.
    public let assistantEnd: String
    /// The template trims each message's content (Jinja's `trim`), so the app does too.
    public let trimsContent: Bool

    public init(systemPrefix: String, afterSystem: String, noSystemPrefix: String, userToAssistant: String,
                assistantToUser: String, generationPrompt: String, assistantEnd: String, trimsContent: Bool) {
        self.systemPrefix = systemPrefix
        self.afterSystem = afterSystem
        self.noSystemPrefix = noSystemPrefix
        self.userToAssistant = userToAssistant
        self.assistantToUser = assistantToUser
        self.generationPrompt = generationPrompt
        self.assistantEnd = assistantEnd
        self.trimsContent = trimsContent
    }

    /// The end-of-turn text, which stops a reply when the model writes it out rather than as one token.
    public var endOfTurnText: String { PromptFormat.jinjaTrim(assistantEnd) }

    /// The prompt for `messages` (system first if any, then user and assistant alternating, ending with a user turn).
    public func render(_ messages: [ChatMessage]) -> String {
        let clean = messages.map { trimsContent ? ChatMessage(role: $0.role, content: PromptFormat.jinjaTrim($0.content)) : $0 }
        var text = ""
        var turns = clean[...]
        if let first = clean.first, sameScalars(first.role, ChatMessage.system) {
            text += systemPrefix + first.content + afterSystem
            turns = clean.dropFirst()
        } else {
            text += noSystemPrefix
        }
        for (index, message) in turns.enumerated() {
            text += message.content
            if index + 1 < turns.count {
                text += sameScalars(message.role, ChatMessage.user) ? userToAssistant : assistantToUser
            }
        }
        return text + generationPrompt
    }

    /// The manifest's `prompt_format` object, or nil for a model without a chat template (plain text).
    init?(_ fields: JSONFields?) throws {
        guard let format = fields else { return nil }
        self.init(
            systemPrefix: try format.string("system_prefix"),
            afterSystem: try format.string("after_system"),
            noSystemPrefix: try format.string("no_system_prefix"),
            userToAssistant: try format.string("user_to_assistant"),
            assistantToUser: try format.string("assistant_to_user"),
            generationPrompt: try format.string("generation_prompt"),
            assistantEnd: try format.string("assistant_end"),
            trimsContent: try format.bool("trims_content", default: false)
        )
    }

    /// Python's str.strip() (Jinja's trim): Unicode whitespace and the separators U+001C..U+001F, by scalar.
    public static func jinjaTrim(_ text: String) -> String {
        let points = scalars(text)
        let data = UnicodeData.shared
        func space(_ c: UInt32) -> Bool { data.has(c, .whitespace) || (0x1C...0x1F).contains(c) }
        var start = 0
        var end = points.count
        while start < end && space(points[start]) { start += 1 }
        while end > start && space(points[end - 1]) { end -= 1 }
        return scalarsToString(points[start..<end])
    }
}
