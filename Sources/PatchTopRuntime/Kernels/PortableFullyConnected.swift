/// The portable SIMD FULLY_CONNECTED: weights repacked at load time into blocks of 16
/// output rows, `[block][inputDepth]` of `SIMD16<Int8>`, with the filter
/// offset (non-zero only for asymmetric weights) added back when widening.
/// Each input value (plus the input offset) is broadcast against a block.
/// The rescale is the scalar reference one (an FC has few outputs), in
/// whichever rounding the op uses.
struct PortableFullyConnected: Sendable {
    let depth: Int
    let outputs: Int
    let blocks: Int
    let weights: [SIMD16<Int8>]

    init(_ p: FullyConnectedParams, filter: [Int8]) {
        depth = p.inputDepth
        outputs = p.outputDepth
        blocks = (outputs + blockLanes - 1) / blockLanes
        var w = [SIMD16<Int8>](repeating: SIMD16(), count: blocks * depth)
        for o in 0..<outputs {
            for d in 0..<depth {
                w[(o / blockLanes) * depth + d][o % blockLanes] = filter[o * depth + d]
            }
        }
        weights = w
    }

    func run(_ p: FullyConnectedParams, input: UnsafeBufferPointer<Int8>, bias: UnsafeBufferPointer<Int32>?,
             output: UnsafeMutableBufferPointer<Int8>) {
        guard let X = input.baseAddress, let Y = output.baseAddress else { return }
        let depth = self.depth, outputs = self.outputs
        let filterOffset = V16(repeating: p.filterOffset)
        weights.withUnsafeBufferPointer { wb in
            guard let W = wb.baseAddress else { return }
            for b in 0..<p.batches {
                let x = X + b * depth
                for ob in 0..<blocks {
                    let w = W + ob * depth
                    var a0 = V16(), a1 = V16()
                    var d = 0
                    while d + 2 <= depth {
                        a0 &+= V16(repeating: Int32(x[d]) &+ p.inputOffset) &* (widen(w[d]) &+ filterOffset)
                        a1 &+= V16(repeating: Int32(x[d + 1]) &+ p.inputOffset) &* (widen(w[d + 1]) &+ filterOffset)
                        d += 2
                    }
                    if d < depth { a0 &+= V16(repeating: Int32(x[d]) &+ p.inputOffset) &* (widen(w[d]) &+ filterOffset) }
                    let acc = a0 &+ a1
                    for lane in 0..<min(blockLanes, outputs - ob * blockLanes) {
                        let o = ob * blockLanes + lane
                        Y[b * outputs + o] = fullyConnectedOutput(p, acc[lane], channel: o, bias: bias)
                    }
                }
            }
        }
    }
}

/// The requantized output of channel `o` from its accumulator: bias, the
/// op's rescale (per channel or not, in the op's rounding), offset, clamp.
/// Every FULLY_CONNECTED path finishes through this one function.
@inline(__always)
func fullyConnectedOutput(_ p: FullyConnectedParams, _ accumulator: Int32, channel o: Int,
                          bias: UnsafeBufferPointer<Int32>?) -> Int8 {
    var v = accumulator
    if let bias { v &+= bias[o] }
    let q = p.multipliers.count > 1 ? o : 0
    v = p.singleRounding
        ? FixedPoint.multiplyByQuantizedMultiplierSingleRounding(Int64(v), p.multipliers[q], p.shifts[q])
        : FixedPoint.multiplyByQuantizedMultiplier(v, p.multipliers[q], p.shifts[q])
    v &+= p.outputOffset
    return Int8(min(max(v, p.activationMin), p.activationMax))
}
