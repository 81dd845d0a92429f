/// PAD for int8 NHWC-ish tensors of rank ≤ 4: copies the input into the
/// middle of an output pre-filled with the pad value (TFLite pads quantized
/// tensors with the output zero point, i.e. real 0).
func padInt8(input: UnsafeBufferPointer<Int8>, inputShape: [Int], paddings: [(before: Int, after: Int)],
                    padValue: Int8, output: UnsafeMutableBufferPointer<Int8>) {
    let extra = 4 - inputShape.count
    let s = [Int](repeating: 1, count: extra) + inputShape
    let p = [(before: Int, after: Int)](repeating: (0, 0), count: extra) + paddings
    let o = (0..<4).map { s[$0] + p[$0].before + p[$0].after }
    guard let out = output.baseAddress, let from = input.baseAddress else { return }
    out.update(repeating: padValue, count: output.count)
    var src = 0
    for a in 0..<s[0] { for b in 0..<s[1] {
        if p[3].before == 0 && p[3].after == 0 {
            // Whole rows of pixels are contiguous on both sides: one copy.
            let dst = (((a + p[0].before) * o[1] + (b + p[1].before)) * o[2] + p[2].before) * o[3]
            (out + dst).update(from: from + src, count: s[2] * s[3])
            src += s[2] * s[3]
            continue
        }
        for c in 0..<s[2] {
            let dstRow = (((a + p[0].before) * o[1] + (b + p[1].before)) * o[2] + (c + p[2].before)) * o[3] + p[3].before
            (out + dstRow).update(from: from + src, count: s[3])
            src += s[3]
        }
    } }
}

/// CONCATENATION of int8 tensors along `axis`. TFLite requires int8 inputs to
/// share the output's scale and zero point, so this is a pure copy.
func concatenateInt8(inputs: [UnsafeBufferPointer<Int8>], shapes: [[Int]], axis: Int,
                            output: UnsafeMutableBufferPointer<Int8>) {
    guard let first = shapes.first else { return }
    let outer = first[..<axis].reduce(1, *)
    var o = 0
    for i in 0..<outer {
        for (k, input) in inputs.enumerated() {
            let chunk = shapes[k][axis...].reduce(1, *)
            if chunk > 0, let to = output.baseAddress, let from = input.baseAddress {
                (to + o).update(from: from + i * chunk, count: chunk)
            }
            o += chunk
        }
    }
}
