import CPatchTopKernels

/// QUANTIZE float32 → int8 as TFLite's `AffineQuantize`: `round(x / scale)`
/// in float, half away from zero, plus the zero point, clamped.
func quantizeFloatToInt8(_ input: UnsafeBufferPointer<Float>, scale: Float, zeroPoint: Int32,
                                output: UnsafeMutableBufferPointer<Int8>) {
    for i in 0..<input.count { output[i] = quantizeFloat(input[i], scale: scale, zeroPoint: zeroPoint) }
}

/// One value of `quantizeFloatToInt8`; NaN maps to the zero point and
/// out-of-range values saturate instead of trapping.
@inlinable
func quantizeFloat(_ x: Float, scale: Float, zeroPoint: Int32) -> Int8 {
    let r = (x / scale).rounded(.toNearestOrAwayFromZero)
    guard !r.isNaN else { return Int8(clamping: zeroPoint) }
    let q = Int64(min(max(r, -4e9), 4e9)) + Int64(zeroPoint)
    return Int8(clamping: q)
}

/// `quantizeFloat` over `count` consecutive floats (read unaligned from
/// `input`), eight at a time: the same division, rounding and clamps, lane
/// by lane (a NaN gives the zero point), then the scalar form for the rest.
/// On the AVX2 path the C kernel does the same arithmetic.
func quantizeFloatRun(_ input: UnsafeRawPointer, count: Int, scale: Float, zeroPoint: Int32,
                             output: UnsafeMutablePointer<Int8>, path: KernelPath = .active) {
    if path.usesAVX2, CPUFeatures.current.contains(.avx2), count > 0 {
        pt_quantize_f32_avx2(input.assumingMemoryBound(to: Float.self), count, scale, zeroPoint, output)
        return
    }
    var i = 0
    let divisor = SIMD8<Float>(repeating: scale)
    let zero = SIMD8<Int32>(repeating: zeroPoint)
    let low = SIMD8<Int32>(repeating: -128), high = SIMD8<Int32>(repeating: 127)
    while i + 8 <= count {
        var r = (input.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) / divisor).rounded(.toNearestOrAwayFromZero)
        r.replace(with: 0, where: r .!= r)
        // Anything beyond ±1e6 saturates int8 whatever the zero point.
        r = r.clamped(lowerBound: SIMD8(repeating: -1e6), upperBound: SIMD8(repeating: 1e6))
        let q = (SIMD8<Int32>(r) &+ zero).clamped(lowerBound: low, upperBound: high)
        for lane in 0..<8 { output[i + lane] = Int8(truncatingIfNeeded: q[lane]) }
        i += 8
    }
    while i < count {
        output[i] = quantizeFloat(input.loadUnaligned(fromByteOffset: 4 * i, as: Float.self), scale: scale, zeroPoint: zeroPoint)
        i += 1
    }
}

/// DEQUANTIZE int8 → float32 as TFLite's reference: `scale · (q − zp)` in
/// double, then narrowed to float.
func dequantizeInt8ToFloat(_ input: UnsafeBufferPointer<Int8>, scale: Float, zeroPoint: Int32,
                                  output: UnsafeMutableBufferPointer<Float>) {
    for i in 0..<input.count { output[i] = dequantizeInt8(input[i], scale: scale, zeroPoint: zeroPoint) }
}

/// One value of `dequantizeInt8ToFloat`.
@inlinable
func dequantizeInt8(_ q: Int8, scale: Float, zeroPoint: Int32) -> Float {
    Float(Double(scale) * Double(Int32(q) - zeroPoint))
}

/// Requantizes int8 → int8 (QUANTIZE with int8 input), as TFLite's
/// `Requantize`: multiplier `input_scale / output_scale` in double.
struct RequantizeParams: Sendable {
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var multiplier: Int32
    var shift: Int32

    init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        (multiplier, shift) = FixedPoint.quantizeMultiplier(Double(inputScale) / Double(outputScale))
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
    }

    @inlinable
    func apply(_ x: Int8) -> Int8 {
        let v = FixedPoint.multiplyByQuantizedMultiplier(Int32(x) - inputZeroPoint, multiplier, shift) &+ outputZeroPoint
        return Int8(min(max(v, -128), 127))
    }
}
