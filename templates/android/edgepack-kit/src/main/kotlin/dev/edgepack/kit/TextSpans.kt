package dev.edgepack.kit

/**
 * Offsets in the kit, the manifest and the test vectors count code points (Python string indices);
 * Kotlin strings index UTF-16 units, which differ as soon as a text holds an emoji or another
 * character outside the Basic Multilingual Plane.
 */
object TextSpans {
    /** The UTF-16 index of code point [codePoint] of [text]. */
    fun utf16(text: String, codePoint: Int): Int = text.offsetByCodePoints(0, codePoint)

    /** `text[start:end]` in Python terms: code points [start, end). */
    fun slice(text: String, start: Int, end: Int): String = text.substring(utf16(text, start), utf16(text, end))
}
