/// SIMD building blocks of the portable int8 kernels.
///
/// Swift's generic SIMD conversions (`init(truncatingIfNeeded:)`) and
/// comparisons (`.<`, `replacing(with:where:)`) are not reliably inlined and
/// often compile to per-lane loops, so the kernels use these small
/// element-wise helpers instead: written as plain loops over lanes, LLVM turns
/// each into one or two vector instructions (`vpmovsxbd`, `vpmovdb`,
/// `vpminsd`, `vpmuldq`...). Everything here is exact integer arithmetic.

typealias V16 = SIMD16<Int32>

/// Lanes per channel block of the portable kernels.
let blockLanes = 16

@inline(__always)
func widen(_ v: SIMD16<Int8>) -> V16 {
    var r = V16()
    for i in 0..<16 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func narrow(_ v: V16) -> SIMD16<Int8> {
    var r = SIMD16<Int8>()
    for i in 0..<16 { r[i] = Int8(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
func lanesMin(_ a: V16, _ b: V16) -> V16 {
    var r = a
    for i in 0..<16 { r[i] = a[i] < b[i] ? a[i] : b[i] }
    return r
}

@inline(__always)
func lanesMax(_ a: V16, _ b: V16) -> V16 {
    var r = a
    for i in 0..<16 { r[i] = a[i] > b[i] ? a[i] : b[i] }
    return r
}

@inline(__always)
func widen64(_ v: V16) -> SIMD16<Int64> {
    var r = SIMD16<Int64>()
    for i in 0..<16 { r[i] = Int64(v[i]) }
    return r
}

@inline(__always)
func narrow64(_ v: SIMD16<Int64>) -> V16 {
    var r = V16()
    for i in 0..<16 { r[i] = Int32(truncatingIfNeeded: v[i]) }
    return r
}

/// Loads 16 bytes from `p` (no alignment needed).
@inline(__always)
func load16(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
}

/// Loads the first `count` (< 16) bytes of `p`; the other lanes are the
/// bytes that follow when they are still inside the buffer (`end`), zero
/// otherwise. Callers multiply those lanes by zero weights.
@inline(__always)
func loadPartial(_ p: UnsafePointer<Int8>, _ count: Int, end: UnsafePointer<Int8>) -> SIMD16<Int8> {
    if end - p >= 16 { return load16(p) }
    var r = SIMD16<Int8>()
    for i in 0..<count { r[i] = p[i] }
    return r
}

/// Stores the first `count` lanes of `v` at `p` (all 16 with one store).
@inline(__always)
func store(_ v: SIMD16<Int8>, _ p: UnsafeMutablePointer<Int8>, _ count: Int) {
    if count == 16 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Int8>.self)
    } else if count >= 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: v.lowHalf, as: SIMD8<Int8>.self)
        for i in 8..<count { p[i] = v[i] }
    } else {
        for i in 0..<count { p[i] = v[i] }
    }
}

/// Per-output-channel requantization of a kernel, laid out in blocks of 16
/// channels so that one accumulator vector is rescaled with vector
/// instructions, bit for bit as `FixedPoint.multiplyByQuantizedMultiplier`
/// (left shift, SRDHM, rounding right shift), then offset and clamped.
///
/// Block `k` holds `stride` vectors: bias, folded bias (bias plus the input
/// offset times the sum of every filter tap, for windows entirely inside the
/// image), multiplier, left shift, right shift, and the right shift's
/// remainder mask. Channels past the end are zero.
struct RequantTable: Sendable {
    static let stride = 6
    let vectors: [V16]
    let blocks: Int
    let outputOffset: Int32
    let activationMin: Int32
    let activationMax: Int32

    /// `folded[c]` is the folded bias of channel `c` (nil: same as bias).
    init(channels: Int, bias: UnsafeBufferPointer<Int32>?, folded: [Int32]?, multipliers: [Int32], shifts: [Int32],
         outputOffset: Int32, activationMin: Int32, activationMax: Int32) {
        blocks = (channels + blockLanes - 1) / blockLanes
        var v = [V16](repeating: V16(), count: blocks * Self.stride)
        for c in 0..<channels {
            let k = c / blockLanes, lane = c % blockLanes, base = k * Self.stride
            let m = multipliers.count == 1 ? multipliers[0] : multipliers[c]
            let s = shifts.count == 1 ? shifts[0] : shifts[c]
            let b = bias?[c] ?? 0
            let right = s > 0 ? 0 : -s
            v[base][lane] = b
            v[base + 1][lane] = folded?[c] ?? b
            v[base + 2][lane] = m
            v[base + 3][lane] = s > 0 ? s : 0
            v[base + 4][lane] = right
            v[base + 5][lane] = Int32(truncatingIfNeeded: (Int64(1) << Int64(right)) - 1)
        }
        vectors = v
        self.outputOffset = outputOffset
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// Whether the vector path reproduces the scalar one: multipliers must be
    /// non-negative (so SRDHM's one saturating case, `Int32.min²`, cannot
    /// occur) and right shifts within 0…31, as `quantizeMultiplier` makes them.
    static func supports(multipliers: [Int32], shifts: [Int32]) -> Bool {
        multipliers.allSatisfy { $0 >= 0 } && shifts.allSatisfy { $0 >= -31 && $0 <= 31 }
    }
}

/// The clamp and offset of a requantization, broadcast once per call.
struct RequantConstants {
    let offset: V16
    let lo: V16
    let hi: V16

    @inline(__always)
    init(_ t: RequantTable) {
        offset = V16(repeating: t.outputOffset)
        lo = V16(repeating: t.activationMin)
        hi = V16(repeating: t.activationMax)
    }
}

/// Rescales the accumulators `acc` of one channel block (table entries at
/// `t`) to int8 exactly as the reference kernels do.
@inline(__always)
func requantize(_ acc: V16, _ t: UnsafePointer<V16>, _ k: RequantConstants) -> SIMD16<Int8> {
    narrow(lanesMin(lanesMax(rescale(acc, t) &+ k.offset, k.lo), k.hi))
}

/// `FixedPoint.multiplyByQuantizedMultiplier` on 16 lanes (table entries at
/// `t`), exact for every int32 accumulator.
@inline(__always)
func rescale(_ acc: V16, _ t: UnsafePointer<V16>) -> V16 {
    // wrappingShiftLeft, then gemmlowp's SaturatingRoundingDoublingHighMul:
    // (a·b + nudge) / 2^31 truncated, with nudge 2^30 for a·b ≥ 0 and
    // 1 − 2^30 below. For a·b < 0 the sum is negative, and truncating it
    // equals flooring it plus (2^31 − 1): both cases are ⌊(a·b + 2^30) / 2^31⌋,
    // an arithmetic shift. (The saturating case a = b = Int32.min cannot
    // occur: multipliers are non-negative, see `RequantTable.supports`.)
    let x = narrow64((widen64(acc &<< t[3]) &* widen64(t[2]) &+ (1 << 30)) &>> 31)
    // RoundingDivideByPOT: x >> e, plus one when the remainder exceeds half
    // the divisor (half minus one for negative x): round half away from zero.
    let remainder = x & t[5]
    let threshold = (t[5] &>> 1) &- (x &>> 31)
    return (x &>> t[4]) &- ((threshold &- remainder) &>> 31)
}

/// The taps `[f0, f1)` of a window axis that land inside the input: tap `f`
/// reads input coordinate `start + dilation·f`, valid when in `[0, size)`.
@inline(__always)
func validTaps(start: Int, dilation: Int, filter: Int, size: Int) -> (Int, Int) {
    let f0 = start >= 0 ? 0 : (-start + dilation - 1) / dilation
    let room = size - start
    let f1 = room <= 0 ? 0 : min(filter, (room + dilation - 1) / dilation)
    return (min(f0, f1), f1)
}
