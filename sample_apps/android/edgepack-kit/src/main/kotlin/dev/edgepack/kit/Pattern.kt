package dev.edgepack.kit

/**
 * A tokenizer.json `pattern` ({"String": ...} or {"Regex": ...}) of the Replace normalizer and
 * the Split pre-tokenizer. Strings match literally, left to right, without overlaps. Regexes
 * are the subset the released converters write (`" {2,}"`, `"\\A +| +\\z"`, `"\\A▁"`, escaped
 * literals joined by `|`, `"\\s+"`, `"\\s{2,}|[\\n\\r\\t]"`): literal characters and escapes, classes of
 * them (`[abc]`, `[a-z]`), `\s` (Oniguruma's
 * whitespace, from [UnicodeData]), the anchors `\A` and `\z`, greedy `+ * ? {n} {n,} {n,m}`,
 * and `|` between branches, matched leftmost-first as Oniguruma does. Anything else (classes,
 * negated classes, groups, `.`, lazy quantifiers, a pattern that can match nothing) is refused by name.
 */
internal class Pattern private constructor(private val literal: IntArray?, private val branches: List<List<Atom>>) {
    private class Atom(val kind: Int, val cp: Int, val min: Int, val max: Int, val set: Set<Int> = emptySet()) {
        fun accepts(c: Int) = when (kind) {
            SPACE -> UnicodeData.isRegexSpace(c)
            CLASS -> c in set
            else -> c == cp
        }
    }

    /** The [start, end) ranges of cps[from, to) that match, in order, without overlaps. */
    fun findMatches(cps: IntArray, from: Int, to: Int): List<IntArray> {
        val out = ArrayList<IntArray>()
        var p = from
        while (p < to) {
            val end = matchAt(cps, p, from, to)
            if (end < 0) { p++; continue }
            out.add(intArrayOf(p, end))
            p = end
        }
        return out
    }

    private fun matchAt(cps: IntArray, p: Int, from: Int, to: Int): Int {
        literal?.let { lit ->
            if (p + lit.size > to) return -1
            for (k in lit.indices) if (cps[p + k] != lit[k]) return -1
            return p + lit.size
        }
        for (branch in branches) {
            val end = matchAtoms(branch, 0, cps, p, from, to)
            if (end >= 0) return end
        }
        return -1
    }

    private fun matchAtoms(atoms: List<Atom>, i: Int, cps: IntArray, pos: Int, from: Int, to: Int): Int {
        if (i == atoms.size) return pos
        val a = atoms[i]
        return when (a.kind) {
            START -> if (pos == from) matchAtoms(atoms, i + 1, cps, pos, from, to) else -1
            END -> if (pos == to) matchAtoms(atoms, i + 1, cps, pos, from, to) else -1
            else -> {
                var n = 0
                while (n < a.max && pos + n < to && a.accepts(cps[pos + n])) n++
                while (n >= a.min) {
                    val end = matchAtoms(atoms, i + 1, cps, pos + n, from, to)
                    if (end >= 0) return end
                    n--
                }
                -1
            }
        }
    }

    companion object {
        private const val CHAR = 0
        private const val SPACE = 1
        private const val START = 2
        private const val END = 3
        private const val CLASS = 4

        fun literal(cps: IntArray) = Pattern(cps, emptyList())

        fun fromJson(value: Any?, where: String): Pattern {
            val m = value as? Map<*, *> ?: throw UnsupportedTokenizerException("$where has no pattern")
            (m["String"] as? String)?.let {
                if (it.isEmpty()) throw UnsupportedTokenizerException("unsupported $where pattern: an empty string")
                return Pattern(codePoints(it), emptyList())
            }
            val regex = m["Regex"] as? String ?: throw UnsupportedTokenizerException("$where pattern is neither String nor Regex")
            return Pattern(null, parse(regex, where))
        }

        private fun parse(regex: String, where: String): List<List<Atom>> {
            fun refuse(why: String): Nothing = throw UnsupportedTokenizerException(
                "unsupported $where regex \"$regex\": $why (supported: literals, \\s, \\A, \\z, + * ? {n,m} and |)")
            val cps = codePoints(regex)
            val branches = ArrayList<List<Atom>>()
            var atoms = ArrayList<Atom>()
            var i = 0
            fun escaped(e: Int): Int = when {
                e == 'n'.code -> '\n'.code
                e == 't'.code -> '\t'.code
                e == 'r'.code -> '\r'.code
                e < 0x80 && Character.isLetterOrDigit(e) -> refuse("the escape \\${e.toChar()}")
                else -> e
            }
            while (i < cps.size) {
                val c = cps[i++]
                var kind = CHAR
                var cp = c
                var set = emptySet<Int>()
                when (c) {
                    '['.code -> {
                        kind = CLASS
                        val members = HashSet<Int>()
                        if (i < cps.size && cps[i] == '^'.code) refuse("a negated class")
                        while (true) {
                            if (i >= cps.size) refuse("an unclosed [")
                            var m = cps[i++]
                            if (m == ']'.code) break
                            if (m == '['.code) refuse("a nested class")
                            if (m == '\\'.code) {
                                if (i >= cps.size) refuse("a trailing backslash")
                                m = escaped(cps[i++])
                            }
                            if (i + 1 < cps.size && cps[i] == '-'.code && cps[i + 1] != ']'.code) {
                                var to = cps[i + 1]
                                i += 2
                                if (to == '\\'.code) { if (i >= cps.size) refuse("a trailing backslash"); to = escaped(cps[i++]) }
                                for (x in m..to) members.add(x)
                            } else members.add(m)
                        }
                        set = members
                    }
                    '|'.code -> { branches.add(atoms); atoms = ArrayList(); continue }
                    '\\'.code -> {
                        if (i >= cps.size) refuse("a trailing backslash")
                        val e = cps[i++]
                        when {
                            e == 's'.code -> kind = SPACE
                            e == 'A'.code -> kind = START
                            e == 'z'.code -> kind = END
                            else -> cp = escaped(e)
                        }
                    }
                    '('.code, ')'.code, ']'.code, '.'.code, '^'.code, '$'.code, '+'.code, '*'.code, '?'.code, '{'.code ->
                        refuse("'${c.toChar()}' here")
                }
                var min = 1
                var max = 1
                if (i < cps.size && kind != START && kind != END) {
                    when (cps[i]) {
                        '+'.code -> { max = Int.MAX_VALUE; i++ }
                        '*'.code -> { min = 0; max = Int.MAX_VALUE; i++ }
                        '?'.code -> { min = 0; i++ }
                        '{'.code -> {
                            val close = (i until cps.size).firstOrNull { cps[it] == '}'.code } ?: refuse("an unclosed {")
                            val body = String(cps, i + 1, close - i - 1)
                            val parts = body.split(',')
                            val lo = parts[0].toIntOrNull() ?: refuse("the quantifier {$body}")
                            min = lo
                            max = when {
                                parts.size == 1 -> lo
                                parts.size == 2 && parts[1].isEmpty() -> Int.MAX_VALUE
                                parts.size == 2 -> parts[1].toIntOrNull() ?: refuse("the quantifier {$body}")
                                else -> refuse("the quantifier {$body}")
                            }
                            i = close + 1
                        }
                    }
                    if (i < cps.size && (cps[i] == '?'.code || cps[i] == '+'.code) && (min != 1 || max != 1)) {
                        refuse("a lazy or possessive quantifier")
                    }
                }
                atoms.add(Atom(kind, cp, min, max, set))
            }
            branches.add(atoms)
            for (b in branches) {
                if (b.none { it.kind != START && it.kind != END && it.min > 0 }) refuse("a branch that can match nothing")
            }
            return branches
        }
    }
}
