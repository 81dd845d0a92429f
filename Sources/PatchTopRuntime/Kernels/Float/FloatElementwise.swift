import Foundation

/// float32 activations, each exactly as TFLite Micro's reference kernel
/// computes it in Float (`expf`, `tanhf` from the C library).
public enum FloatUnaryOp: Equatable, Sendable {
    case relu, relu6, reluN1To1
    case leakyRelu(alpha: Float)
    case hardSwish, logistic, tanh

    @inline(__always)
    public func apply(_ x: Float) -> Float {
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
}

/// float32 ADD, SUB, MUL (with their fused clamp), MAXIMUM, MINIMUM.
public enum FloatBinaryOp: Equatable, Sendable {
    case add, sub, mul, maximum, minimum

    @inline(__always)
    public func apply(_ a: Float, _ b: Float, _ clamp: FloatClamp) -> Float {
        switch self {
        case .add: return clamp.apply(a + b)
        case .sub: return clamp.apply(a - b)
        case .mul: return clamp.apply(a * b)
        case .maximum: return a > b ? a : b
        case .minimum: return a < b ? a : b
        }
    }
}

/// float32 SOFTMAX over the last dimension as TFLite Micro's reference:
/// `exp((x − max)·beta)` summed in Float, each divided by the sum.
public func softmaxFloat(beta: Float, rows: Int, depth: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
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
public func broadcastBinaryFloat(_ op: FloatBinaryOp, _ clamp: FloatClamp, shapeA: [Int], _ a: UnsafePointer<Float>,
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
        for l in 0..<so[3] {
            y[o] = op.apply(a[ra + l * ta[3]], b[rb + l * tb[3]], clamp)
            o += 1
        }
    } } }
}
