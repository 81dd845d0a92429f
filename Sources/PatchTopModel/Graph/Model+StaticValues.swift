/// Values known before the model runs: constant integer tensors, and what
/// SHAPE, STRIDED_SLICE, PACK, GATHER and integer CONCATENATION compute
/// from them and from static shapes.
///
/// A Keras model converted without a fixed batch size computes its
/// flatten's target shape at run time (`SHAPE → STRIDED_SLICE → PACK →
/// RESHAPE`). With the static shapes of the file (batch 1) those ops always
/// compute the same integers, so the runtime evaluates them once here and
/// the model runs like its static twin.
extension Model {
    /// The integer values of `tensor` in row-major order, or `nil` when they
    /// depend on the model's input (or on an op this does not evaluate).
    public func staticValues(of tensor: Int) -> [Int]? {
        var memo: [Int: [Int]] = [:]
        return staticValues(of: tensor, memo: &memo)
    }

    private func staticValues(of index: Int, memo: inout [Int: [Int]]) -> [Int]? {
        guard index >= 0, index < tensors.count else { return nil }
        if let known = memo[index] { return known }
        let tensor = tensors[index]
        var values: [Int]?
        if let data = tensor.data {
            values = Self.integers(data, type: tensor.type)
        } else if let producer = producer[index] {
            values = evaluate(operators[producer], memo: &memo)
        }
        guard let values, values.count == tensor.elementCount else { return nil }
        memo[index] = values
        return values
    }

    /// Little-endian int32 or int64 data as Ints.
    static func integers(_ data: [UInt8], type: ElementType) -> [Int]? {
        let size: Int
        switch type {
        case .int32: size = 4
        case .int64: size = 8
        default: return nil
        }
        return stride(from: 0, to: data.count - size + 1, by: size).map { k in
            var v: UInt64 = 0
            for j in 0..<size { v |= UInt64(data[k + j]) << (8 * j) }
            return size == 4 ? Int(Int32(truncatingIfNeeded: v)) : Int(Int64(bitPattern: v))
        }
    }

    private func evaluate(_ op: Operator, memo: inout [Int: [Int]]) -> [Int]? {
        let outShape = tensors[op.output].shape
        switch op.kind {
        case .shape:
            guard let input = op.input(0) else { return nil }
            return tensors[input].shape
        case .stridedSlice:
            guard let input = op.input(0), let b = op.input(1), let e = op.input(2), let s = op.input(3),
                  tensors[input].shape.count == 1,
                  let values = staticValues(of: input, memo: &memo), let begin = staticValues(of: b, memo: &memo),
                  let end = staticValues(of: e, memo: &memo), let strides = staticValues(of: s, memo: &memo),
                  begin.count == 1, end.count == 1, strides.count == 1,
                  case .stridedSlice(let beginMask, let endMask, let ellipsisMask, let newAxisMask, let shrinkMask, let offset) = op.options,
                  ellipsisMask & 1 == 0, newAxisMask & 1 == 0
            else { return nil }
            return Self.slice1D(values, begin: begin[0], end: end[0], stride: strides[0], beginMask: beginMask & 1 != 0,
                                endMask: endMask & 1 != 0, shrink: shrinkMask & 1 != 0, offset: offset)
        case .pack:
            guard case .pack(_, let axis) = op.options else { return nil }
            var parts: [[Int]] = []
            for input in op.inputs where input >= 0 {
                guard let values = staticValues(of: input, memo: &memo) else { return nil }
                parts.append(values)
            }
            guard let first = parts.first, parts.allSatisfy({ $0.count == first.count }) else { return nil }
            let rank = tensors[op.inputs[0]].shape.count
            let a = axis < 0 ? axis + rank + 1 : axis
            if a == 0 { return parts.flatMap { $0 } }
            guard rank == 1, a == 1 else { return nil }
            return (0..<first.count).flatMap { i in parts.map { $0[i] } }
        case .gather:
            guard case .gather(let axis, let batchDims) = op.options, axis == 0 || axis == -1, batchDims == 0,
                  let p = op.input(0), let i = op.input(1), tensors[p].shape.count == 1,
                  let params = staticValues(of: p, memo: &memo), let indices = staticValues(of: i, memo: &memo),
                  indices.allSatisfy({ params.indices.contains($0) })
            else { return nil }
            return indices.map { params[$0] }
        case .concatenation:
            guard case .concatenation(let axis, .none) = op.options, outShape.count == 1, axis == 0 || axis == -1 else { return nil }
            var values: [Int] = []
            for input in op.inputs where input >= 0 {
                guard let part = staticValues(of: input, memo: &memo) else { return nil }
                values += part
            }
            return values
        default:
            return nil
        }
    }

    /// STRIDED_SLICE of a 1-D vector, with TensorFlow's clamping of begin
    /// and end and its masks.
    static func slice1D(_ values: [Int], begin: Int, end: Int, stride: Int, beginMask: Bool, endMask: Bool,
                        shrink: Bool, offset: Bool) -> [Int]? {
        let n = values.count
        guard stride != 0, n > 0 else { return nil }
        func resolve(_ i: Int) -> Int { i < 0 ? i + n : i }
        var start = beginMask ? (stride > 0 ? 0 : n - 1) : resolve(begin)
        if shrink {
            guard start >= 0, start < n else { return nil }
            return [values[start]]
        }
        var stop = endMask ? (stride > 0 ? n : -1) : (offset ? start + end : resolve(end))
        if stride > 0 {
            start = min(max(start, 0), n)
            stop = min(max(stop, 0), n)
            return start < stop ? Swift.stride(from: start, to: stop, by: stride).map { values[$0] } : []
        }
        start = min(max(start, -1), n - 1)
        stop = min(max(stop, -1), n - 1)
        return start > stop ? Swift.stride(from: start, to: stop, by: stride).map { values[$0] } : []
    }
}
