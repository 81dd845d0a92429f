/// The loops of a reduction (MEAN) over some axes of a tensor of rank ≤ 4.
///
/// The kept dimensions walk the outputs in order (the output's row-major
/// order, with or without keepDims); the reduced dimensions walk the inputs
/// one output reads, in the input's row-major order. That is the order in
/// which TFLite Micro's reference `Reduce` adds them up, which matters for
/// float sums.
struct ReductionLoops: Equatable, Sendable {
    /// Sizes and input strides (in elements) of the kept dimensions, outer
    /// first, padded to four with size 1.
    let kept: [Int]
    let keptStrides: [Int]
    /// Sizes and input strides of the reduced dimensions, outer first,
    /// padded to four with size 1.
    let reduced: [Int]
    let reducedStrides: [Int]
    /// Inputs per output: the product of the reduced sizes.
    let count: Int
    /// Outputs: the product of the kept sizes.
    let outputs: Int

    /// `nil` when the rank is above 4 or an axis is out of range. Axes may
    /// be negative (counted from the end) and repeated, as TFLite allows.
    init?(shape: [Int], axes: [Int]) {
        guard shape.count <= 4 else { return nil }
        var reducedAxes = Set<Int>()
        for axis in axes {
            let a = axis < 0 ? axis + shape.count : axis
            guard a >= 0, a < shape.count else { return nil }
            reducedAxes.insert(a)
        }
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var kept: [Int] = [], keptStrides: [Int] = [], reduced: [Int] = [], reducedStrides: [Int] = []
        for d in shape.indices {
            if reducedAxes.contains(d) {
                reduced.append(shape[d])
                reducedStrides.append(strides[d])
            } else {
                kept.append(shape[d])
                keptStrides.append(strides[d])
            }
        }
        count = reduced.reduce(1, *)
        outputs = kept.reduce(1, *)
        // Pad at the front: size-1 loops outside the real ones.
        self.kept = [Int](repeating: 1, count: 4 - kept.count) + kept
        self.keptStrides = [Int](repeating: 0, count: 4 - keptStrides.count) + keptStrides
        self.reduced = [Int](repeating: 1, count: 4 - reduced.count) + reduced
        self.reducedStrides = [Int](repeating: 0, count: 4 - reducedStrides.count) + reducedStrides
    }

    /// Calls `body(output, firstInput)` for every output in order.
    @inline(__always)
    func forEachOutput(_ body: (Int, Int) -> Void) {
        let k = kept, s = keptStrides
        var output = 0
        for a in 0..<k[0] { for b in 0..<k[1] { for c in 0..<k[2] { for d in 0..<k[3] {
            body(output, a * s[0] + b * s[1] + c * s[2] + d * s[3])
            output += 1
        } } } }
    }

    /// Outputs that are neighbours in memory on both sides: the innermost
    /// kept dimension when it is the input's innermost (channels kept, as in
    /// a spatial MEAN of NHWC), else 1.
    var contiguousOutputs: Int { keptStrides[3] == 1 ? kept[3] : 1 }

    /// Calls `body(firstOutput, firstInput)` for every block of
    /// `contiguousOutputs` outputs in order; output `firstOutput + j` reads
    /// the inputs of `firstInput` shifted by `j`. Reducing a block with
    /// `forEachReduced` and adding `j` keeps each output's own input order.
    @inline(__always)
    func forEachOutputBlock(_ body: (Int, Int) -> Void) {
        let k = kept, s = keptStrides, block = contiguousOutputs
        var output = 0
        for a in 0..<k[0] { for b in 0..<k[1] { for c in 0..<k[2] {
            if block > 1 {
                body(output, a * s[0] + b * s[1] + c * s[2])
                output += block
            } else {
                for d in 0..<k[3] {
                    body(output, a * s[0] + b * s[1] + c * s[2] + d * s[3])
                    output += 1
                }
            }
        } } }
    }

    /// Calls `body(input)` for every input of the output starting at `base`,
    /// in row-major order.
    @inline(__always)
    func forEachReduced(from base: Int, _ body: (Int) -> Void) {
        let r = reduced, s = reducedStrides
        for a in 0..<r[0] { for b in 0..<r[1] { for c in 0..<r[2] {
            let row = base + a * s[0] + b * s[1] + c * s[2]
            for d in 0..<r[3] { body(row + d * s[3]) }
        } } }
    }
}
