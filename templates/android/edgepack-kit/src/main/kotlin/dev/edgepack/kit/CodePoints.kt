package dev.edgepack.kit

/** A growable IntArray. */
internal class IntArrayBuilder(capacity: Int) {
    private var data = IntArray(maxOf(capacity, 4))
    var size = 0
        private set

    fun add(v: Int) {
        if (size == data.size) data = data.copyOf(data.size * 2)
        data[size++] = v
    }

    fun get(i: Int): Int = data[i]
    fun set(i: Int, v: Int) { data[i] = v }

    fun toArray(): IntArray = data.copyOf(size)
}

/** The code points of [s] (a lone surrogate is one code point, as Kotlin reads it). */
internal fun codePoints(s: String): IntArray {
    val out = IntArrayBuilder(s.length)
    var i = 0
    while (i < s.length) {
        val c = s.codePointAt(i)
        out.add(c)
        i += Character.charCount(c)
    }
    return out.toArray()
}
