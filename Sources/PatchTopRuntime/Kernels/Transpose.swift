/// TRANSPOSE of a tensor of rank ≤ 4 by a constant permutation: output
/// dimension `k` is input dimension `perm[k]`. The bytes move, unchanged,
/// so one kernel serves every element size.
struct TransposeParams: Equatable, Sendable {
    /// Output sizes, padded at the front to rank 4.
    let outputShape: [Int]
    /// For each output dimension, the input stride (in elements) it walks.
    let inputStrides: [Int]
    let elementBytes: Int

    /// `nil` unless `perm` is a permutation of `0..<shape.count` and the
    /// rank is at most 4.
    init?(inputShape shape: [Int], perm: [Int], elementBytes: Int) {
        guard shape.count <= 4, perm.count == shape.count, Set(perm) == Set(0..<shape.count), elementBytes > 0 else { return nil }
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        let pad = 4 - shape.count
        outputShape = [Int](repeating: 1, count: pad) + perm.map { shape[$0] }
        inputStrides = [Int](repeating: 0, count: pad) + perm.map { strides[$0] }
        self.elementBytes = elementBytes
    }
}

func transpose(_ p: TransposeParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer) {
    let o0 = p.outputShape[0], o1 = p.outputShape[1], o2 = p.outputShape[2], o3 = p.outputShape[3]
    let s0 = p.inputStrides[0], s1 = p.inputStrides[1], s2 = p.inputStrides[2], s3 = p.inputStrides[3]
    // The position counter is local to each specialisation (a counter
    // captured from outside would live in a heap box, one load and store
    // through it per element).
    func move<T>(_ type: T.Type) {
        let x = input.assumingMemoryBound(to: T.self)
        var y = output.assumingMemoryBound(to: T.self)
        for a in 0..<o0 { for b in 0..<o1 { for c in 0..<o2 {
            let row = x + (a * s0 + b * s1 + c * s2)
            for d in 0..<o3 { y[d] = row[d * s3] }
            y += o3
        } } }
    }
    switch p.elementBytes {
    case 1: move(UInt8.self)
    case 2: move(UInt16.self)
    case 4: move(UInt32.self)
    default: move(UInt64.self)
    }
}
