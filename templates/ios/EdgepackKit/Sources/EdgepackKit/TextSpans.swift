import Foundation

/// Offsets in the kit, the manifest and the test vectors count code points (Python string indices);
/// Swift strings index Characters (grapheme clusters), which differ as soon as a text holds an emoji
/// sequence or a combining mark. Code points are a String's unicode scalars.
public enum TextSpans {
    /// The index of code point `codePoint` of `text`, for ranges into it (or into an AttributedString of it).
    public static func index(_ text: String, _ codePoint: Int) -> String.Index {
        text.unicodeScalars.index(text.unicodeScalars.startIndex, offsetBy: codePoint)
    }

    /// `text[start:end]` in Python terms: code points [start, end).
    public static func slice(_ text: String, _ start: Int, _ end: Int) -> String {
        String(text.unicodeScalars[index(text, start)..<index(text, end)])
    }

    /// The number of code points of `text` (Python's len).
    public static func length(_ text: String) -> Int { text.unicodeScalars.count }
}
