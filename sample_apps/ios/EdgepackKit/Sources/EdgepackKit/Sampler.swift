import Foundation

/// How the next token is chosen. The defaults are the checkpoint's generation_config.json (manifest
/// `task.postprocessing.generation`); `repetition_penalty` is not applied (neither does `edgepack chat`).
public struct SamplingConfig: Equatable, Sendable {
    /// False: greedy, the best token (ties: the lowest id).
    public var doSample: Bool
    public var temperature: Double
    /// Draw among the `topK` best tokens only (0: the whole vocabulary).
    public var topK: Int
    /// Then among the smallest set of those whose probability reaches `topP` (1: no cut).
    public var topP: Double
    /// The same seed gives the same draws, here, in the Android kit and in `edgepack chat --seed`.
    public var seed: Int64

    public init(doSample: Bool = false, temperature: Double = 1.0, topK: Int = 50, topP: Double = 1.0, seed: Int64 = 0) {
        self.doSample = doSample
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    public var greedy: Bool { !doSample || temperature <= 0.0 }

    /// A copy with some settings changed (Kotlin's `with`).
    public func with(doSample: Bool? = nil, temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil,
                     seed: Int64? = nil) -> SamplingConfig {
        SamplingConfig(doSample: doSample ?? self.doSample, temperature: temperature ?? self.temperature,
                       topK: topK ?? self.topK, topP: topP ?? self.topP, seed: seed ?? self.seed)
    }

    /// The bundle's generation defaults (generation_config.json's, transformers' where it is silent); a
    /// present field of the wrong type is an error naming it.
    static func defaults(_ generation: JSONFields, seed: Int64 = 0) throws -> SamplingConfig {
        SamplingConfig(
            doSample: try generation.bool("do_sample", default: false),
            temperature: generation.has("temperature") ? try generation.double("temperature") : 1.0,
            topK: generation.has("top_k") ? try generation.int("top_k") : 50,
            topP: generation.has("top_p") ? try generation.double("top_p") : 1.0,
            seed: seed
        )
    }
}

/// Chooses tokens from logits rows. Sampling: the `SamplingConfig.topK` best ids (by logit, ties by id),
/// softmax of logits / temperature over them in double precision, cut to the shortest prefix whose
/// cumulative probability reaches top_p and renormalised, then one uniform draw u in [0, 1) from
/// SplitMix64 picks the first id whose cumulative probability exceeds u. `edgepack chat` (builder/sampling.py,
/// `Sampling`) and Sampler.kt do exactly this, in the same order, summing left to right, so a seed gives
/// the same reply on the host as in the apps (up to exp()'s last-bit differences between platforms, which
/// move a draw only when it falls on a boundary).
public final class Sampler {
    public let config: SamplingConfig
    private var random: SplitMix64

    public init(_ config: SamplingConfig) {
        self.config = config
        random = SplitMix64(seed: config.seed)
    }

    public func choose(_ logits: [Float]) -> Int { config.greedy ? Sampler.argmax(logits) : draw(logits) }

    private func draw(_ logits: [Float]) -> Int {
        precondition(!logits.isEmpty, "empty logits row")
        let order = Sampler.ranked(logits, config.topK)
        let scaled = order.map { Double(logits[$0]) / config.temperature }
        let peak = scaled.max()!
        let weights = scaled.map { exp($0 - peak) }
        let total = Sampler.sum(weights)
        var probabilities = weights.map { $0 / total }
        if config.topP < 1.0 {
            var cumulative = 0.0
            var keep = probabilities.count
            for i in probabilities.indices {
                cumulative += probabilities[i]
                if cumulative >= config.topP {
                    keep = i + 1
                    break
                }
            }
            let kept = Array(probabilities.prefix(keep))
            let sum = Sampler.sum(kept)
            probabilities = kept.map { $0 / sum }
        }
        let u = random.nextDouble()
        var cumulative = 0.0
        for i in probabilities.indices {
            cumulative += probabilities[i]
            if u < cumulative { return order[i] }
        }
        return order[probabilities.count - 1]
    }

    /// Left to right, as Kotlin's DoubleArray.sum() and numpy's cumsum (not a pairwise or vectorised sum).
    private static func sum(_ values: [Double]) -> Double {
        var total = 0.0
        for value in values { total += value }
        return total
    }

    /// The best id of `logits`; ties go to the lowest id (numpy's argmax, the Python reference's).
    public static func argmax(_ logits: [Float]) -> Int {
        precondition(!logits.isEmpty, "empty logits row")
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return best
    }

    /// The ids of the `k` best logits (all when k <= 0), best first, ties by the lower id.
    public static func ranked(_ logits: [Float], _ k: Int) -> [Int] {
        func better(_ a: Int, _ b: Int) -> Bool { logits[a] != logits[b] ? logits[a] > logits[b] : a < b }
        if k <= 0 || k >= logits.count { return logits.indices.sorted(by: better) }
        // The k best so far, best first: most ids lose to the worst of them at once, so this is O(vocab) compares
        // plus O(k) moves for the few that get in, instead of sorting the vocabulary.
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for i in logits.indices {
            if best.count == k {
                guard better(i, best[k - 1]) else { continue }
                best.removeLast()
            }
            var low = 0, high = best.count
            while low < high {
                let mid = (low + high) / 2
                if better(best[mid], i) { low = mid + 1 } else { high = mid }
            }
            best.insert(i, at: low)
        }
        return best
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose stream is easy to reproduce in any
/// language (builder/sampling.py and Sampler.kt have the same one).
struct SplitMix64 {
    private var state: UInt64

    init(seed: Int64) {
        state = UInt64(bitPattern: seed)
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits.
    mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53)) }
}
