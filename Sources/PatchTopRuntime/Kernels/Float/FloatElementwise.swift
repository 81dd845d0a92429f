import Foundation

/// float32 activations, each exactly as TFLite Micro's reference kernel
/// computes it in Float (`expf`, `tanhf` from the C library).
enum FloatUnaryOp: Equatable, Sendable {
    case relu, relu6, reluN1To1
    case leakyRelu(alpha: Float)
    case hardSwish, logistic, tanh

    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .relu: return x < 0 ? 0 : x
        case .relu6: return x > 6 ? 6 : (x < 0 ? 0 : x)
        case .reluN1To1: return x > 1 ? 1 : (x < -1 ? -1 : x)
        case .leakyRelu(let alpha): return x > 0 ? x : x * alpha
        case .hardSwish:
            // in · min(6, max(0, in + 3)) / 6, with std::min/std::max.
            let shifted = x + 3
            let low: Float = 0 < shifted ? shifted : 0
            let clamped: Float = low < 6 ? low : 6
            return x * clamped / 6
        case .logistic:
            if x > 16.619047164916992188 { return 1 }
            if x < -9 { return expf(x) }
            return 1 / (1 + expf(-x))
        case .tanh: return tanhf(x)
        }
    }

    /// `y[i] = apply(x[i])` for `count` values, the case chosen once so
    /// that each loop is specialised (and vectorised where it can be).
    func run(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count { y[i] = FloatUnaryOp.relu.apply(x[i]) }
        case .relu6: for i in 0..<count { y[i] = FloatUnaryOp.relu6.apply(x[i]) }
        case .reluN1To1: for i in 0..<count { y[i] = FloatUnaryOp.reluN1To1.apply(x[i]) }
        case .leakyRelu(let alpha): for i in 0..<count { let v = x[i]; y[i] = v > 0 ? v : v * alpha }
        case .hardSwish: for i in 0..<count { y[i] = FloatUnaryOp.hardSwish.apply(x[i]) }
        case .logistic: for i in 0..<count { y[i] = FloatUnaryOp.logistic.apply(x[i]) }
        case .tanh: for i in 0..<count { y[i] = tanhf(x[i]) }
        }
    }
}

/// float32 ADD, SUB, MUL (with their fused clamp), MAXIMUM, MINIMUM.
enum FloatBinaryOp: Equatable, Sendable {
    case add, sub, mul, maximum, minimum

    @inline(__always)
    func apply(_ a: Float, _ b: Float, _ clamp: FloatClamp) -> Float {
        switch self {
        case .add: return clamp.apply(a + b)
        case .sub: return clamp.apply(a - b)
        case .mul: return clamp.apply(a * b)
        case .maximum: return a > b ? a : b
        case .minimum: return a < b ? a : b
        }
    }

    /// `y[i] = apply(a[i·strideA], b[i·strideB])` for `count` values (a
    /// stride of 0 repeats one value), the case chosen once per call.
    func run(_ a: UnsafePointer<Float>, strideA: Int, _ b: UnsafePointer<Float>, strideB: Int,
                    _ y: UnsafeMutablePointer<Float>, count: Int, clamp: FloatClamp) {
        @inline(__always) func loop(_ f: (Float, Float) -> Float) {
            if strideA == 1 && strideB == 1 {
                for i in 0..<count { y[i] = f(a[i], b[i]) }
            } else {
                for i in 0..<count { y[i] = f(a[i * strideA], b[i * strideB]) }
            }
        }
        switch self {
        case .add: loop { clamp.apply($0 + $1) }
        case .sub: loop { clamp.apply($0 - $1) }
        case .mul: loop { clamp.apply($0 * $1) }
        case .maximum: loop { $0 > $1 ? $0 : $1 }
        case .minimum: loop { $0 < $1 ? $0 : $1 }
        }
    }
}

/// float32 SOFTMAX over the last dimension as TFLite Micro's reference:
/// `exp((x − max)·beta)` summed in Float, each divided by the sum.
func softmaxFloat(beta: Float, rows: Int, depth: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let x = input + r * depth, y = output + r * depth
        var maximum = -Float.greatestFiniteMagnitude
        for c in 0..<depth where x[c] > maximum { maximum = x[c] }
        var sum: Float = 0
        for c in 0..<depth {
            let e = expf((x[c] - maximum) * beta)
            y[c] = e
            sum += e
        }
        for c in 0..<depth { y[c] = y[c] / sum }
    }
}

/// float32 elementwise binary op over tensors of rank ≤ 4 with TFLite's
/// broadcasting (a dimension of size 1 repeats).
func broadcastBinaryFloat(_ op: FloatBinaryOp, _ clamp: FloatClamp, shapeA: [Int], _ a: UnsafePointer<Float>,
                                 shapeB: [Int], _ b: UnsafePointer<Float>, outputShape: [Int], _ y: UnsafeMutablePointer<Float>) {
    func rank4(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: max(0, 4 - s.count)) + s }
    let sa = rank4(shapeA), sb = rank4(shapeB), so = rank4(outputShape)
    func strides(_ s: [Int]) -> [Int] {
        var st = [0, 0, 0, 0], acc = 1
        for d in stride(from: 3, through: 0, by: -1) {
            st[d] = s[d] == 1 ? 0 : acc
            acc *= s[d]
        }
        return st
    }
    let ta = strides(sa), tb = strides(sb)
    var o = 0
    for i in 0..<so[0] { for j in 0..<so[1] { for k in 0..<so[2] {
        let ra = i * ta[0] + j * ta[1] + k * ta[2], rb = i * tb[0] + j * tb[1] + k * tb[2]
        op.run(a + ra, strideA: ta[3], b + rb, strideB: tb[3], y + o, count: so[3], clamp: clamp)
        o += so[3]
    } } }
}
