import Foundation

/// A template piece: a sequence (A, or B when `isB`) or special tokens (`ids` non-nil).
struct TemplatePiece {
    let isB: Bool
    let typeId: Int
    let ids: [Int]?
    let tokens: [String]?
}

/// One `process_encodings` step of a post-processor (a Sequence chains several).
enum ProcessorStep {
    /// TemplateProcessing / BertProcessing / RobertaProcessing's special tokens and type ids.
    case template(single: [TemplatePiece], pair: [TemplatePiece])
    /// ByteLevel's process_offsets (trim_offsets), on every encoding of the list.
    case trimOffsets(addPrefixSpace: Bool)
}

/// tokenizer.json `post_processor`: its steps, in order.
struct PostProcessor {
    let steps: [ProcessorStep]

    static func fromJson(_ value: JSONValue?) throws -> PostProcessor {
        guard let value = value else { return PostProcessor(steps: []) }
        guard let p = value.object else { throw UnsupportedTokenizerError("malformed post_processor") }
        let steps = try parseSteps(p)
        let templates = steps.filter { if case .template = $0 { return true } else { return false } }
        if templates.count > 1 {
            throw UnsupportedTokenizerError("unsupported post_processor: a Sequence with more than one special-token processor")
        }
        return PostProcessor(steps: steps)
    }

    private static func specialPiece(_ value: JSONValue?, _ typeId: Int, _ what: String) throws -> TemplatePiece {
        guard let pair = value?.array, pair.count == 2, let token = pair[0].string else {
            throw UnsupportedTokenizerError("malformed post_processor \(what)")
        }
        return TemplatePiece(isB: false, typeId: typeId, ids: [try intValue(pair[1], "\(what) id")], tokens: [token])
    }

    private static func trimStep(_ p: JSONObject) -> [ProcessorStep] {
        (p["trim_offsets"]?.bool ?? true) ? [.trimOffsets(addPrefixSpace: p["add_prefix_space"]?.bool ?? true)] : []
    }

    private static func parseSteps(_ p: JSONObject) throws -> [ProcessorStep] {
        let a = TemplatePiece(isB: false, typeId: 0, ids: nil, tokens: nil)
        switch p["type"]?.string {
        case "TemplateProcessing":
            var specials: [(key: String, ids: [Int], tokens: [String])] = []
            if let map = p["special_tokens"]?.object {
                for (key, value) in zip(map.keys, map.values) {
                    guard let m = value.object, let ids = m["ids"]?.array, let tokens = m["tokens"]?.array else {
                        throw UnsupportedTokenizerError("malformed TemplateProcessing special token \(key)")
                    }
                    let strings = tokens.compactMap { $0.string }
                    if strings.count != tokens.count { throw UnsupportedTokenizerError("malformed TemplateProcessing special token \(key)") }
                    specials.append((key, try ids.map { try intValue($0, "special token id") }, strings))
                }
            }
            func template(_ name: String) throws -> [TemplatePiece] {
                guard let pieces = p[name]?.array else { throw UnsupportedTokenizerError("TemplateProcessing has no \(name) template") }
                return try pieces.map { piece -> TemplatePiece in
                    if let seq = piece.object?["Sequence"]?.object {
                        return TemplatePiece(isB: seq["id"]?.string == "B", typeId: try intValue(seq["type_id"], "type_id"), ids: nil, tokens: nil)
                    }
                    if let sp = piece.object?["SpecialToken"]?.object {
                        let id = sp["id"]?.string ?? ""
                        guard let special = specials.last(where: { sameScalars($0.key, id) }) else {
                            throw UnsupportedTokenizerError("TemplateProcessing uses undefined special token \(sp["id"].text)")
                        }
                        return TemplatePiece(isB: false, typeId: try intValue(sp["type_id"], "type_id"), ids: special.ids, tokens: special.tokens)
                    }
                    throw UnsupportedTokenizerError("malformed TemplateProcessing piece")
                }
            }
            return [.template(single: try template("single"), pair: try template("pair"))]
        case "BertProcessing":
            let cls = try specialPiece(p["cls"], 0, "cls")
            let sep0 = try specialPiece(p["sep"], 0, "sep")
            let sep1 = try specialPiece(p["sep"], 1, "sep")
            return [.template(single: [cls, a, sep0], pair: [cls, a, sep0, TemplatePiece(isB: true, typeId: 1, ids: nil, tokens: nil), sep1])]
        case "RobertaProcessing":
            // Offsets trimmed (if trim_offsets), every type id 0: <s> A </s> and <s> A </s> </s> B </s>.
            let cls = p["cls"] == nil ? TemplatePiece(isB: false, typeId: 0, ids: [0], tokens: ["<s>"]) : try specialPiece(p["cls"], 0, "cls")
            let sep = p["sep"] == nil ? TemplatePiece(isB: false, typeId: 0, ids: [2], tokens: ["</s>"]) : try specialPiece(p["sep"], 0, "sep")
            let b = TemplatePiece(isB: true, typeId: 0, ids: nil, tokens: nil)
            return trimStep(p) + [.template(single: [cls, a, sep], pair: [cls, a, sep, sep, b, sep])]
        case "ByteLevel":
            return trimStep(p)
        case "Sequence":
            guard let processors = p["processors"]?.array else { throw UnsupportedTokenizerError("post_processor Sequence has no processors") }
            return try processors.flatMap { value -> [ProcessorStep] in
                guard let inner = value.object else { throw UnsupportedTokenizerError("malformed post_processor in Sequence") }
                if inner["type"]?.string == "Sequence" { throw UnsupportedTokenizerError("unsupported post_processor: a Sequence inside a Sequence") }
                return try parseSteps(inner)
            }
        default:
            throw UnsupportedTokenizerError("unsupported post_processor \(p["type"].text): only TemplateProcessing, BertProcessing, "
                                            + "RobertaProcessing, ByteLevel and Sequence are supported")
        }
    }

    func addedTokens(isPair: Bool) -> Int {
        var n = 0
        for case .template(let single, let pair) in steps {
            for piece in isPair ? pair : single { n += piece.ids?.count ?? 0 }
        }
        return n
    }

    /// PostProcessor::process: `a` (type ids 0) and `b` (type ids 1) through every step, then merged; the
    /// templates' special tokens only when `addSpecialTokens`.
    func apply(_ a: Seq, _ b: Seq?, addSpecialTokens: Bool = true) -> Seq {
        var encodings: [Seq] = b.map { [a, $0] } ?? [a]
        for step in steps {
            switch step {
            case .trimOffsets(let addPrefixSpace): encodings = encodings.map { trimOffsets($0, addPrefixSpace) }
            case .template(let single, let pair):
                if addSpecialTokens { encodings = applyTemplate(encodings.count == 2 ? pair : single, encodings) }
            }
        }
        var out = Seq()
        for s in encodings { out.append(s) }
        return out
    }

    private func applyTemplate(_ template: [TemplatePiece], _ encodings: [Seq]) -> [Seq] {
        var out: [Seq] = []
        for piece in template {
            var s = Seq()
            if let ids = piece.ids, let tokens = piece.tokens {
                for k in 0..<ids.count { s.add(ids[k], piece.typeId, tokens[k], 0, 0, 1) }
            } else {
                let index = piece.isB ? 1 : 0
                if index >= encodings.count { continue }
                s = encodings[index]
                s.typeIds = Array(repeating: piece.typeId, count: s.count)
            }
            out.append(s)
        }
        return out
    }

    /// byte_level::process_offsets: leading/trailing 'Ġ' or whitespace characters leave the offsets.
    private func trimOffsets(_ s: Seq, _ addPrefixSpace: Bool) -> Seq {
        let data = UnicodeData.shared
        var out = s
        for i in 0..<s.count {
            var start = s.starts[i]
            var end = s.ends[i]
            let cps = scalars(s.tokens[i])
            func space(_ c: UInt32) -> Bool { c == 0x120 || data.has(c, .whitespace) }
            var leading = 0
            while leading < cps.count && space(cps[leading]) { leading += 1 }
            var trailing = 0
            while trailing < cps.count && space(cps[cps.count - 1 - trailing]) { trailing += 1 }
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = min(start + leading, end)
            }
            if trailing > 0 && end >= trailing { end = max(end - trailing, start) }
            out.starts[i] = start
            out.ends[i] = end
        }
        return out
    }
}
