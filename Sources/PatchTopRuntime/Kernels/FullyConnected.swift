/// Precomputed parameters of an int8 FULLY_CONNECTED. Weights may be
/// per-tensor (one multiplier) or per-channel (one per output row, as newer
/// converters emit); a single multiplier is used for every row.
struct FullyConnectedParams: Sendable {
    /// Rows of the flattened input (`input elements / inputDepth`).
    var batches: Int
    var inputDepth: Int
    var outputDepth: Int
    var inputOffset: Int32
    /// `-filter_zero_point` (0 for symmetric weights).
    var filterOffset: Int32
    var outputOffset: Int32
    var multipliers: [Int32]
    var shifts: [Int32]
    var activationMin: Int32
    var activationMax: Int32
    /// Rescale with one rounding (`multiplyByQuantizedMultiplierSingleRounding`)
    /// instead of SRDHM + RDBPOT, as LiteRT 2.3.0's per-channel reference
    /// FC does. TFLite Micro does not (it rounds twice, per-channel or not),
    /// and the runtime follows TFLite Micro; this stays for comparing the two.
    var singleRounding: Bool = false

    init(batches: Int, inputDepth: Int, outputDepth: Int, inputOffset: Int32, filterOffset: Int32 = 0,
                outputOffset: Int32, multiplier: Int32, shift: Int32, activationMin: Int32, activationMax: Int32) {
        self.init(batches: batches, inputDepth: inputDepth, outputDepth: outputDepth, inputOffset: inputOffset,
                  filterOffset: filterOffset, outputOffset: outputOffset, multipliers: [multiplier], shifts: [shift],
                  activationMin: activationMin, activationMax: activationMax)
    }

    init(batches: Int, inputDepth: Int, outputDepth: Int, inputOffset: Int32, filterOffset: Int32 = 0,
                outputOffset: Int32, multipliers: [Int32], shifts: [Int32], activationMin: Int32, activationMax: Int32) {
        precondition(multipliers.count == shifts.count && (multipliers.count == 1 || multipliers.count == outputDepth))
        self.batches = batches
        self.inputDepth = inputDepth
        self.outputDepth = outputDepth
        self.inputOffset = inputOffset
        self.filterOffset = filterOffset
        self.outputOffset = outputOffset
        self.multipliers = multipliers
        self.shifts = shifts
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// The multiplier as TFLite's `GetQuantizedConvolutionMultipler` derives
    /// it: the input×filter scale product is taken in *float*, then divided
    /// by the output scale in double.
    static func multiplier(inputScale: Float, filterScale: Float, outputScale: Float) -> (Int32, Int32) {
        let product = Double(inputScale * filterScale)
        let q = FixedPoint.quantizeMultiplier(product / Double(outputScale))
        return (q.multiplier, q.shift)
    }
}

/// Reference int8 fully connected (`reference_integer_ops::FullyConnected`).
/// Weights `[outputDepth, inputDepth]`, bias optional.
func fullyConnectedInt8(
    _ p: FullyConnectedParams, input: UnsafeBufferPointer<Int8>, filter: UnsafeBufferPointer<Int8>,
    bias: UnsafeBufferPointer<Int32>?, output: UnsafeMutableBufferPointer<Int8>
) {
    let depth = p.inputDepth
    let perChannel = p.multipliers.count > 1
    for b in 0..<p.batches {
        for o in 0..<p.outputDepth {
            var acc: Int32 = 0
            for d in 0..<depth {
                acc &+= (Int32(input[b * depth + d]) &+ p.inputOffset) &* (Int32(filter[o * depth + d]) &+ p.filterOffset)
            }
            if let bias { acc &+= bias[o] }
            let k = perChannel ? o : 0
            acc = p.singleRounding
                ? FixedPoint.multiplyByQuantizedMultiplierSingleRounding(Int64(acc), p.multipliers[k], p.shifts[k])
                : FixedPoint.multiplyByQuantizedMultiplier(acc, p.multipliers[k], p.shifts[k])
            acc &+= p.outputOffset
            acc = min(max(acc, p.activationMin), p.activationMax)
            output[b * p.outputDepth + o] = Int8(acc)
        }
    }
}
