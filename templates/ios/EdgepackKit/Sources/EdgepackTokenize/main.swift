// `edgepack-tokenize <tokenizer.json> <texts.txt> [<tokenizer.json> <texts.txt> ...]`: each line
// of texts.txt is a JSON string (one text) or a JSON array of two strings (a pair); prints one
// JSON object per line with the encoding's ids, type_ids, attention_mask, offsets, word_ids and the ids
// decoded without and with special tokens (or, for a decoder the kit lacks, decoder_unsupported: why), job
// after job (several jobs share one process start). Exits 2 on an unsupported tokenizer, 64 on bad
// usage, 65 on a bad line, 1 on anything else. The protocol of the Android kit's TokenizerCli,
// used by builder/apps/swift.py to prove EdgepackKit's Tokenizer against Hugging Face.
import EdgepackKit
import Foundation

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

func appendNumber(_ n: Int, to out: inout [UInt8]) {
    out.append(contentsOf: String(n).utf8)
}

/// `text` as a JSON string literal, everything outside printable ASCII escaped.
func appendJSONString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for unit in text.utf16 {
        switch unit {
        case 0x22: out += Array("\\\"".utf8)
        case 0x5C: out += Array("\\\\".utf8)
        case 0x20..<0x7F: out.append(UInt8(unit))
        default: out += Array(String(format: "\\u%04x", unit).utf8)
        }
    }
    out.append(UInt8(ascii: "\""))
}

func appendList(_ values: [Int], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (k, v) in values.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        appendNumber(v, to: &out)
    }
    out.append(UInt8(ascii: "]"))
}

/// One line as (text, pair); JSONSerialization is exact here (string values only, no keys).
func parseLine(_ line: Data, _ number: Int) -> (String, String?) {
    let value: Any
    do {
        value = try JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])
    } catch {
        fail("line \(number): not JSON: \(error)", 65)
    }
    if let text = value as? String { return (text, nil) }
    if let pair = value as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String { return (a, b) }
    fail("line \(number): expected a JSON string or a pair of strings", 65)
}

func main() {
    let args = Array(CommandLine.arguments.dropFirst())
    if args.isEmpty || args.count % 2 != 0 {
        fail("usage: edgepack-tokenize <tokenizer.json> <texts.txt> [<tokenizer.json> <texts.txt> ...]", 64)
    }
    // Every tokenizer first, so that an unsupported one fails before any output.
    var tokenizers: [Tokenizer] = []
    for job in stride(from: 0, to: args.count, by: 2) {
        do {
            tokenizers.append(try Tokenizer(contentsOf: URL(fileURLWithPath: args[job])))
        } catch let error as UnsupportedTokenizerError {
            fail("unsupported tokenizer: \(error.message)", 2)
        } catch let error as TokenizerJSONError {
            fail("unsupported tokenizer: \(error.message)", 2)
        } catch {
            fail("cannot read \(args[job]): \(error)", 1)
        }
    }
    var out: [UInt8] = []
    for (job, tokenizer) in tokenizers.enumerated() {
        let path = args[2 * job + 1]
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)", 1) }
        for (index, raw) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let (text, pair) = parseLine(Data(line), index + 1)
            let encoding: Encoding
            do {
                encoding = try tokenizer.encodeChecked(text, pair: pair)
            } catch {
                fail("line \(index + 1): \(error)", 1)
            }
            out.append(contentsOf: Array("{\"ids\":".utf8))
            appendList(encoding.ids, to: &out)
            out.append(contentsOf: Array(",\"type_ids\":".utf8))
            appendList(encoding.typeIds, to: &out)
            out.append(contentsOf: Array(",\"attention_mask\":".utf8))
            appendList(encoding.attentionMask, to: &out)
            out.append(contentsOf: Array(",\"offsets\":[".utf8))
            for (k, offset) in encoding.offsets.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendList(offset, to: &out)
            }
            out.append(contentsOf: Array("],\"word_ids\":[".utf8))
            for (k, word) in encoding.wordIds.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Array((word == Encoding.noWord ? "null" : String(word)).utf8))
            }
            out.append(contentsOf: Array("]".utf8))
            if let problem = tokenizer.decoderProblem {
                out.append(contentsOf: Array(",\"decoder_unsupported\":".utf8))
                appendJSONString(problem, to: &out)
            } else {
                do {
                    out.append(contentsOf: Array(",\"decoded\":".utf8))
                    appendJSONString(try tokenizer.decode(encoding.ids, skipSpecialTokens: true), to: &out)
                    out.append(contentsOf: Array(",\"decoded_with_special\":".utf8))
                    appendJSONString(try tokenizer.decode(encoding.ids, skipSpecialTokens: false), to: &out)
                } catch {
                    fail("line \(index + 1): \(error)", 1)
                }
            }
            out.append(contentsOf: Array("}\n".utf8))
        }
    }
    FileHandle.standardOutput.write(Data(out))
}

main()
