"""A deterministic corpus of awkward texts for tokenizer parity tests.

`varied_texts()` mixes plain English with many scripts, emoji sequences, control and format
characters, combining marks, odd whitespace, punctuation soup, very long words, special-token
strings and texts long enough to be truncated: everything a WordPiece tokenizer port tends to
get subtly wrong.
"""

from __future__ import annotations

import random

ENGLISH = [
    "Where is my order? It was supposed to arrive yesterday.",
    "I want to cancel my subscription and get a refund!",
    "Can I change the delivery address for order #12345?",
    "The app keeps logging me out every time I open it...",
    "My card was charged twice -- please help.",
    "Is the blue jacket available in size M (medium)?",
    "Great service, thanks a lot :)",
    "Don't you think it's ok? I'd say \"yes\", they'll agree.",
    "The quick brown fox jumps over the lazy dog.",
    "HELLO World, MiXeD CaSe TeXt With CAPS.",
]

SCRIPTS = [
    "Café crème, naïve résumé, façade, jalapeño, Ångström, Øresund, smørrebrød, Straße, ẞ",
    "Привет, как дела? Ёлка и ЙОГУРТ. Съешь же ещё этих мягких французских булок.",
    "Καλημέρα κόσμε· ΟΔΥΣΣΕΥΣ ὀδυσσεύς σοφός ΣΟΦΟΣ ἀρχή Ἀθῆναι ς σ Σ",
    "مرحبا بالعالم، كيف حالك؟ السَّلَامُ عَلَيْكُمْ ١٢٣",
    "שלום עולם! מה שלומך? בְּרֵאשִׁית",
    "नमस्ते दुनिया। क्या हाल है? हिन्दी क़ ज़",
    "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่าง",
    "我的订单什么时候到？你好，世界！龍與鳳",
    "注文をキャンセルしたいです。カタカナ ｶﾀｶﾅ ひらがな",
    "안녕하세요 세계! 한국어 텍스트입니다. 뷁",
    "İstanbul'da ılık bir gün; IŞIK ışık İİ ı i̇ DİYARBAKIR",
    "Tiếng Việt có dấu: Nguyễn, đường, phở",
    "Ǆemal ǅemal ǆemal ﬁ ﬂ ﬃ Ⅻ ① ⁵ ₂ ㎏ ℃",
    "Ελληνικά ΣΊΣΥΦΟΣ ΌΣΟΣ ΆΣΟΣ",
    "Հայերեն Ქართული ⴀ Ꭰ ꭰ 𐐀 𐐨 𞤀",
    "豈 更 車 賈 滑 串 句 龜 丽 丸 乁 𠀀 𪜀 𫝀",
]

EMOJI = [
    "I love it 😀😃😄 so much!!!",
    "Family: 👨‍👩‍👧‍👦 and 👩🏽‍💻 working, 👍🏿👍🏻",
    "Flags 🇫🇷🇯🇵🇺🇸 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿 scotland",
    "Keycaps 1️⃣ #️⃣ and hearts ❤️ ♥ 🫶 🥰",
    "emoji🙂inside🙃words",
]

CONTROL = [
    "null\x00byte and unit\x1fsep and del\x7f char",
    "zero\u200bwidth and bom\ufeffhere and replacement\ufffdchar",
    "soft\u00adhyphen, rtl\u200fmark, ltr\u200emark, joiner\u200djoin",
    "bell\x07 backspace\x08 vtab\x0b formfeed\x0c nel\x85 end",
    "private \ue000\uf8ff use \U000f0000 here",
    "\x00\x00\x00",
    "\ufeff",
]

COMBINING = [
    "e\u0301 a\u0300 o\u0302\u0303 u\u0308\u0304",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u0334\u0335\u031c\u0330\u0354L\u0328\u0357\u0344G\u0337\u0303O",
    "\u0301leading combining mark",
    "a\u0323\u0301 e\u0301\u0323 \u1ec7 \u01d8 \u0344 \u0f73 \u0958",
    "\u1100\u1161\u11a8 decomposed hangul",
]

WHITESPACE = [
    "tabs\tand\ttabs",
    "windows\r\nline\r\nendings",
    "non\u00a0breaking\u00a0space",
    "ideographic\u3000space",
    "line\u2028separator\u2029paragraph",
    "thin\u2009space\u202fnarrow\u205fmath\u1680ogham",
    "   leading and trailing   ",
    "",
    " ",
    "\t\n\r ",
    "\u3000\u00a0\u2028",
]

PUNCT = [
    "!!!???...,,,;;;:::",
    "$100 + 5% = <big> ^up^ `code` |pipe| ~tilde~ @at #hash &and *star",
    "«quotes» „German“ ‘single’ “double” — dash – en ‑ nb … ellipsis",
    "¡Hola! ¿Qué tal? ※ ° § ¶ † ‡ • ‰ ′ ″ ‹›",
    "(brackets) [square] {curly} <angle> 【lenticular】 「corner」",
    "a.b,c;d:e!f?g'h\"i(j)k[l]m{n}o-p_q/r\\s",
    "€£¥₹₽ ©®™ ±×÷ √∞ ≠≤≥",
]

NUMBERS_URLS = [
    "Call +1 (555) 123-4567 or 555.123.4567 before 10:30am on 2024-01-15.",
    "Visit https://example.com/path?query=1&x=y#frag or http://a.b.c/d_e-f",
    "Email john.doe+tag@example.co.uk, support@my-shop.io",
    "3.14159 1,000,000 1e-10 0x1F 42nd 1st 2nd 3rd ½ ¾ ٣ ४",
    "v1.2.3-beta+build.5 and file_name.tar.gz at C:\\Users\\me",
]

SPECIAL = [
    "[CLS] hello [SEP]",
    "[mask] is not [MASK]",
    "[PAD][PAD][UNK]x[SEP][CLS]",
    "text[MASK]text [ SEP ] [SEP",
    "[CLS]",
    "  [SEP]  ",
    "[UNK] [unk] [Unk]",
]


def _long_word(rng: random.Random) -> str:
    n = rng.choice([99, 100, 101, 150, 300])
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _random_chars(rng: random.Random) -> str:
    pools = [
        (0x20, 0x7e), (0xa0, 0x24f), (0x300, 0x36f), (0x370, 0x3ff), (0x400, 0x4ff), (0x590, 0x5ff),
        (0x600, 0x6ff), (0x900, 0x97f), (0xe00, 0xe7f), (0x1100, 0x11ff), (0x1e00, 0x1fff),
        (0x2000, 0x206f), (0x2070, 0x22ff), (0x3000, 0x30ff), (0x3400, 0x4dbf), (0x4e00, 0x9fff),
        (0xac00, 0xd7a3), (0xf900, 0xfaff), (0xfb00, 0xfdff), (0xfe00, 0xffff), (0x10000, 0x1047f),
        (0x1d400, 0x1d7ff), (0x1f300, 0x1faff), (0x20000, 0x2fa1f), (0xe0000, 0xe01ef), (0x0, 0x1f),
    ]
    out = []
    for _ in range(rng.randint(1, 40)):
        lo, hi = rng.choice(pools)
        cp = rng.randint(lo, hi)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        out.append(chr(cp))
        if rng.random() < 0.2:
            out.append(" ")
    return "".join(out)


FAMILIES = [ENGLISH, SCRIPTS, EMOJI, CONTROL, COMBINING, WHITESPACE, PUNCT, NUMBERS_URLS, SPECIAL]


def _mutate(text: str, rng: random.Random) -> str:
    choice = rng.randrange(8)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return text.lower()
    if choice == 2:
        return text.title()
    if choice == 3:
        return text.replace(" ", rng.choice(["\t", "\u00a0", "  ", "\n", "\u3000", ""]))
    if choice == 4:
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(SPECIAL) + text[i:]
    return text


def varied_texts(n: int = 2400, seed: int = 0) -> list[str]:
    """`n` deterministic texts (every fixed sample first, then random mixes)."""
    rng = random.Random(seed)
    texts = [t for family in FAMILIES for t in family]
    texts += [_long_word(rng), "x" * 100, "x" * 101, "é" * 101, "ab" * 60 + " short"]
    # Long texts that get truncated (128 tokens) in several scripts.
    texts += [" ".join(ENGLISH) * 3, " ".join(SCRIPTS) * 2, "".join(SCRIPTS[7] for _ in range(10)), "word " * 300]
    while len(texts) < n:
        kind = rng.randrange(10)
        if kind < 5:
            parts = [rng.choice(rng.choice(FAMILIES)) for _ in range(rng.randint(1, 4))]
            text = rng.choice([" ", "", "\n", " - "]).join(parts)
            if rng.random() < 0.5:
                text = _mutate(text, rng)
        elif kind < 8:
            text = _random_chars(rng)
        elif kind == 8:
            text = " ".join(_long_word(rng) if rng.random() < 0.3 else rng.choice(ENGLISH) for _ in range(rng.randint(1, 30)))
        else:
            # Emoji and marks glued to words.
            words = rng.choice(ENGLISH).split()
            text = "".join(w + rng.choice(["", "\u0301", "😀", "🏽", "\u200d", "🇫🇷", "\u0308\u0323"]) + " " for w in words)
        texts.append(text)
    return texts[:n]


def varied_pairs(n: int = 300, seed: int = 1) -> list[tuple[str, str]]:
    """`n` deterministic text pairs, including pairs whose total length forces truncation."""
    rng = random.Random(seed)
    pool = varied_texts(800, seed)
    long = [" ".join(ENGLISH) * k for k in (1, 2, 3)] + ["word " * n for n in (60, 62, 63, 64, 65, 66, 120, 130, 200)]
    pairs = [(a, b) for a in long[:6] for b in long[3:]]
    pairs += [("", ""), ("", "b"), ("a", ""), ("[CLS]", "[SEP]")]
    while len(pairs) < n:
        if rng.random() < 0.3:
            pairs.append((rng.choice(pool + long), rng.choice(long)))
        else:
            pairs.append((rng.choice(pool), rng.choice(pool)))
    return pairs[:n]
