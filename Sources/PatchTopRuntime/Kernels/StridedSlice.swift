/// STRIDED_SLICE of a tensor of rank ≤ 4 with constant begin, end and
/// strides, resolved once (TensorFlow's clamping, begin/end/shrink masks)
/// into a start and a step per dimension: the output walks those and the
/// bytes move unchanged, so one kernel serves every element size.
struct StridedSliceParams: Equatable, Sendable {
    /// Per dimension (padded at the front to rank 4): first input index,
    /// step, and output count.
    let start: [Int]
    let step: [Int]
    let count: [Int]
    /// Input strides in elements, padded likewise.
    let inputStrides: [Int]
    let elementBytes: Int

    /// `nil` for ellipsis or new-axis masks, a zero stride, rank above 4
    /// or vectors of the wrong length.
    init?(inputShape shape: [Int], begin: [Int], end: [Int], strides: [Int], beginMask: Int, endMask: Int,
                 ellipsisMask: Int, newAxisMask: Int, shrinkAxisMask: Int, offset: Bool, elementBytes: Int) {
        let rank = shape.count
        guard rank <= 4, begin.count == rank, end.count == rank, strides.count == rank,
              ellipsisMask == 0, newAxisMask == 0, elementBytes > 0 else { return nil }
        var start: [Int] = [], step: [Int] = [], count: [Int] = []
        for d in 0..<rank {
            let n = shape[d], s = strides[d]
            guard s != 0 else { return nil }
            func resolve(_ i: Int) -> Int { i < 0 ? i + n : i }
            if shrinkAxisMask & (1 << d) != 0 {
                let b = resolve(begin[d])
                guard b >= 0, b < n else { return nil }
                start.append(b); step.append(1); count.append(1)
                continue
            }
            var b = beginMask & (1 << d) != 0 ? (s > 0 ? 0 : n - 1) : resolve(begin[d])
            var e = endMask & (1 << d) != 0 ? (s > 0 ? n : -1) : (offset ? b + end[d] : resolve(end[d]))
            if s > 0 {
                b = min(max(b, 0), n)
                e = min(max(e, 0), n)
                count.append(b < e ? (e - b + s - 1) / s : 0)
            } else {
                b = min(max(b, -1), n - 1)
                e = min(max(e, -1), n - 1)
                count.append(b > e ? (b - e - s - 1) / -s : 0)
            }
            start.append(b); step.append(s)
        }
        var strides = [Int](repeating: 1, count: rank)
        for d in Swift.stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        let pad = 4 - rank
        self.start = [Int](repeating: 0, count: pad) + start
        self.step = [Int](repeating: 1, count: pad) + step
        self.count = [Int](repeating: 1, count: pad) + count
        self.inputStrides = [Int](repeating: 0, count: pad) + strides
        self.elementBytes = elementBytes
    }

    /// Output elements.
    var outputCount: Int { count.reduce(1, *) }
}

func stridedSlice(_ p: StridedSliceParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer) {
    let c = p.count, s = p.inputStrides
    let base = zip(p.start, s).reduce(0) { $0 + $1.0 * $1.1 }
    let step = zip(p.step, s).map { $0 * $1 }
    let size = p.elementBytes
    var to = 0
    for a in 0..<c[0] { for b in 0..<c[1] { for k in 0..<c[2] {
        let row = base + a * step[0] + b * step[1] + k * step[2]
        for d in 0..<c[3] {
            (output + to * size).copyMemory(from: input + (row + d * step[3]) * size, byteCount: size)
            to += 1
        }
    } } }
}
