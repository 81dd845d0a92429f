/// int8 MEAN over any axes, with TFLite Micro's arithmetic
/// (`QuantizedMeanOrSum`), which it uses whether or not the input and
/// output share a scale and zero point: the `s_in/s_out` multiplier is
/// folded with `1/count` (shifted up by ⌊log2 count⌋ first, to keep
/// precision, at most 32 and at most `31 + shift`), then applied, rounding,
/// to `Σx − zp_in·count`.
///
/// TensorFlow's own TFLite (2.21) divides `Σx / count` with truncation when
/// the quantizations are equal; TFLite Micro and LiteRT 2.3.0 do not, and
/// TFLite Micro is what runs on the device (see README).
struct MeanParams: Sendable {
    var loops: ReductionLoops
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    /// The `s_in/s_out` multiplier with `1/count` folded in.
    var meanMultiplier: Int32
    var meanShift: Int32
    /// `s_in/s_out` alone, for sums that do not fit 32 bits.
    var multiplier: Int32
    var shift: Int32

    /// `nil` when `s_in/s_out` needs a shift outside −31…30 (no converter
    /// emits one; TFLite Micro's arithmetic would be undefined there).
    init?(loops: ReductionLoops, inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        self.loops = loops
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        let (multiplier, shift) = FixedPoint.quantizeMultiplier(Double(inputScale) / Double(outputScale))
        guard (-31...30).contains(shift) else { return nil }
        (self.multiplier, self.shift) = (multiplier, shift)
        let count = Int64(loops.count)
        guard count > 0 else {
            (meanMultiplier, meanShift) = (multiplier, shift)
            return
        }
        let shiftUp = min(63 - count.leadingZeroBitCount, 32, 31 + Int(shift))
        // (m · 2^shiftUp) / count < 2^31 because 2^shiftUp ≤ count.
        meanMultiplier = Int32(truncatingIfNeeded: (Int64(multiplier) << Int64(shiftUp)) / count)
        meanShift = shift - Int32(shiftUp)
    }
}

///
/// TFLite Micro sums in 32 bits, which overflows (undefined in C++) once
/// more than 2^24 values are averaged; here the sum is 64-bit, and only a
/// sum that does not fit 32 bits takes the exact route (the rounded mean,
/// then the unfolded multiplier), so every reduction TFLite Micro can run
/// gives its bytes.
func meanInt8(_ p: MeanParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let loops = p.loops
    guard loops.count > 0 else {
        // An empty reduction: TFLite Micro leaves the zeroed output.
        for i in 0..<min(loops.outputs, output.count) { output[i] = 0 }
        return
    }
    let count = Int64(loops.count)
    guard let X = input.baseAddress else { return }
    let block = loops.contiguousOutputs
    // Sums of at most 2^24 int8 values fit 32 bits, so the per-output
    // accumulators (a block of neighbouring outputs at once, added along
    // the contiguous input) are Int32, then widened exactly.
    if block > 1 && loops.count <= 1 << 24 {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: block) { buffer in
            guard let acc = buffer.baseAddress else { return }
            loops.forEachOutputBlock { first, base in
                acc.update(repeating: 0, count: block)
                loops.forEachReduced(from: base) { i in
                    let x = X + i
                    for j in 0..<block { acc[j] &+= Int32(x[j]) }
                }
                for j in 0..<block where first + j < output.count {
                    output[first + j] = meanResult(p, Int64(acc[j]), count: count)
                }
            }
        }
        return
    }
    loops.forEachOutput { o, base in
        var acc: Int64 = 0
        loops.forEachReduced(from: base) { acc &+= Int64(input[$0]) }
        output[o] = meanResult(p, acc, count: count)
    }
}

/// One output of `meanInt8` from the sum of its `count` inputs.
@inline(__always)
func meanResult(_ p: MeanParams, _ acc: Int64, count: Int64) -> Int8 {
        let shifted = acc &- Int64(p.inputZeroPoint) &* count
        let result: Int32
        if let narrow = Int32(exactly: shifted) {
            result = FixedPoint.multiplyByQuantizedMultiplier(narrow, p.meanMultiplier, p.meanShift) &+ p.outputZeroPoint
        } else {
            let mean = Int32(clamping: (shifted + (shifted >= 0 ? count / 2 : -(count / 2))) / count)
            result = FixedPoint.multiplyByQuantizedMultiplier(mean, p.multiplier, p.shift) &+ p.outputZeroPoint
        }
        return Int8(min(max(result, -128), 127))
}

/// float32 MEAN over any axes: each output sums its inputs in row-major
/// order in Float, then divides by the count, as TFLite Micro's reference
/// kernel does (bit-identical).
func meanFloat(_ loops: ReductionLoops, input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
    guard loops.count > 0 else {
        for i in 0..<min(loops.outputs, output.count) { output[i] = 0 }
        return
    }
    let count = Float(loops.count)
    guard let X = input.baseAddress else { return }
    let block = loops.contiguousOutputs
    if block > 1 {
        // Neighbouring outputs summed side by side, each still adding its
        // own inputs in the reference's order.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { buffer in
            guard let sum = buffer.baseAddress else { return }
            loops.forEachOutputBlock { first, base in
                sum.update(repeating: 0, count: block)
                loops.forEachReduced(from: base) { i in
                    let x = X + i
                    for j in 0..<block { sum[j] = sum[j] + x[j] }
                }
                for j in 0..<block where first + j < output.count { output[first + j] = sum[j] / count }
            }
        }
        return
    }
    loops.forEachOutput { o, base in
        var sum: Float = 0
        loops.forEachReduced(from: base) { sum += input[$0] }
        output[o] = sum / count
    }
}
