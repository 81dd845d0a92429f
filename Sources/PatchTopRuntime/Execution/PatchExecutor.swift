import PatchTopModel
import PatchTopPlan

/// Runs a model the MCUNetV2 way: the patch stage once per patch, each op
/// only over the region its patch needs, then the rest layer by layer.
///
/// Every per-patch tensor lives in a buffer of exactly its planned region;
/// kernels index it in full-tensor coordinates through `Region2D`, so the
/// halo is recomputed, never copied between patches. The output must be
/// byte-identical to `Interpreter.run`: tests check it over grids of (p, n).
public struct PatchExecutor: Sendable {
    public let interpreter: Interpreter
    public let plan: PatchPlan

    public init(interpreter: Interpreter, plan: PatchPlan) {
        self.interpreter = interpreter
        self.plan = plan
    }

    /// A buffer holding `region` (all channels) of one tensor.
    struct Slab {
        var region: Region2D
        var data: [Int8]
    }

    public func run(input: [Int8]) throws(RuntimeError) -> [Int8] {
        guard plan.isPatched else { return try interpreter.run(input: input) }
        let model = interpreter.model
        guard let inIndex = model.inputs.first, let outIndex = model.outputs.first else {
            throw RuntimeError("the model has no input or no output")
        }
        guard input.count == model.tensors[inIndex].byteCount else {
            throw RuntimeError("input has \(input.count) bytes, tensor \(inIndex) needs \(model.tensors[inIndex].byteCount)")
        }
        var whole = [[Int8]?](repeating: nil, count: model.tensors.count)
        for (index, bytes) in interpreter.constants { whole[index] = bytes }
        whole[inIndex] = input
        for output in plan.stageOutputs {
            whole[output] = [Int8](repeating: 0, count: model.tensors[output].byteCount)
        }
        for patch in plan.patchRegions.indices {
            try runStage(patch: patch, whole: &whole)
        }
        for index in plan.patchLayers..<model.operators.count {
            try interpreter.execute(interpreter.steps[index], op: model.operators[index], &whole)
        }
        guard let result = whole[outIndex] else { throw RuntimeError("output tensor \(outIndex) was never written") }
        return result
    }

    public func run(inputBytes: [UInt8]) throws(RuntimeError) -> [UInt8] {
        try run(input: inputBytes.map { Int8(bitPattern: $0) }).map { UInt8(bitPattern: $0) }
    }

    private func fullRegion(_ tensor: Int) -> Region2D {
        let shape = interpreter.model.tensors[tensor].shape
        return shape.count == 4 ? Region2D(height: shape[1], width: shape[2]) : Region2D(height: 1, width: 1)
    }

    /// Bytes of one pixel (all channels) of a tensor.
    private func pixelBytes(_ tensor: Int) -> Int {
        let t = interpreter.model.tensors[tensor]
        return (t.shape.last ?? 1) * (t.type.byteSize ?? 1)
    }

    private func runStage(patch: Int, whole: inout [[Int8]?]) throws(RuntimeError) {
        let model = interpreter.model
        var slabs: [Int: Slab] = [:]
        func source(_ tensor: Int) throws(RuntimeError) -> Slab {
            if let slab = slabs[tensor] { return slab }
            guard let data = whole[tensor] else { throw RuntimeError("tensor \(tensor) holds no data in patch \(patch)") }
            return Slab(region: fullRegion(tensor), data: data)
        }
        for index in 0..<plan.patchLayers {
            let op = model.operators[index]
            let region = plan.opRegions[patch][index]
            if region.isEmpty { continue }
            let out = Region2D(y: region.rows.lowerBound, x: region.cols.lowerBound, height: region.height, width: region.width)
            let batches = model.tensors[op.output].shape.first ?? 1
            var y = [Int8](repeating: 0, count: batches * out.height * out.width * pixelBytes(op.output))
            let step = interpreter.steps[index]
            switch step {
            case let .conv(kernel, input, _):
                let x = try source(input)
                x.data.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    kernel.run(input: xp, inputRegion: x.region, output: yp, outputRegion: out,
                               outputRows: region.rows, outputCols: region.cols)
                } }
            case let .depthwise(kernel, input, _):
                let x = try source(input)
                x.data.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    kernel.run(input: xp, inputRegion: x.region, output: yp, outputRegion: out,
                               outputRows: region.rows, outputCols: region.cols)
                } }
            case let .pool(kind, p, input, _):
                let x = try source(input)
                x.data.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    poolInt8(kind, p, input: xp, inputRegion: x.region, output: yp, outputRegion: out,
                             outputRows: region.rows, outputCols: region.cols)
                } }
            case let .add(p, a, _, b, _, _, _):
                try binary(a: try source(a), aTensor: a, b: try source(b), bTensor: b, out: out, batches: batches,
                           channels: pixelBytes(op.output), into: &y, p.apply)
            case let .mul(p, a, _, b, _, _, _):
                try binary(a: try source(a), aTensor: a, b: try source(b), bTensor: b, out: out, batches: batches,
                           channels: pixelBytes(op.output), into: &y, p.apply)
            case let .relu(p, input, _):
                unary(try source(input), tensor: input, out: out, batches: batches, into: &y, p.apply)
            case let .requantize(p, input, _):
                unary(try source(input), tensor: input, out: out, batches: batches, into: &y, p.apply)
            default:
                throw RuntimeError("op \(op.index) (\(op.kind.name)) cannot run patch by patch yet")
            }
            let slab = Slab(region: out, data: y)
            slabs[op.output] = slab
            if plan.stageOutputs.contains(op.output), whole[op.output] != nil {
                copyPatch(slab, tensor: op.output, patch: plan.patchRegions[patch], batches: batches, into: &whole[op.output]!)
            }
        }
    }

    /// Writes the patch's own cells of a per-patch slab into the whole
    /// stage output buffer.
    private func copyPatch(_ slab: Slab, tensor: Int, patch: Region, batches: Int, into target: inout [Int8]) {
        let full = fullRegion(tensor)
        let pixel = pixelBytes(tensor)
        for b in 0..<batches {
            for row in patch.rows {
                let from = slab.region.offset(batch: b, row: row, col: patch.cols.lowerBound, channels: pixel)
                let to = full.offset(batch: b, row: row, col: patch.cols.lowerBound, channels: pixel)
                for k in 0..<(patch.width * pixel) { target[to + k] = slab.data[from + k] }
            }
        }
    }

    private func unary(_ x: Slab, tensor: Int, out: Region2D, batches: Int, into y: inout [Int8], _ f: (Int8) -> Int8) {
        let pixel = pixelBytes(tensor)
        for b in 0..<batches {
            for row in out.rows {
                for col in out.cols {
                    let from = x.region.offset(batch: b, row: row, col: col, channels: pixel)
                    let to = out.offset(batch: b, row: row, col: col, channels: pixel)
                    for c in 0..<pixel { y[to + c] = f(x.data[from + c]) }
                }
            }
        }
    }

    /// Elementwise binary op over a region; an input of height or width 1
    /// (or with one channel) is broadcast, as TFLite broadcasts it.
    private func binary(a: Slab, aTensor: Int, b: Slab, bTensor: Int, out: Region2D, batches: Int, channels: Int,
                        into y: inout [Int8], _ f: (Int8, Int8) -> Int8) throws(RuntimeError) {
        let model = interpreter.model
        func locate(_ s: Slab, _ tensor: Int) throws(RuntimeError) -> (Int, Int, Int) -> Int {
            let shape = model.tensors[tensor].shape
            guard shape.count == 4 else { throw RuntimeError("tensor \(tensor) is not 4-D and cannot be broadcast per patch") }
            let h1 = shape[1] == 1, w1 = shape[2] == 1, c = shape[3], n1 = shape[0] == 1
            return { batch, row, col in
                s.region.offset(batch: n1 ? 0 : batch, row: h1 ? s.region.y : row, col: w1 ? s.region.x : col, channels: c)
            }
        }
        let la = try locate(a, aTensor), lb = try locate(b, bTensor)
        let ca = model.tensors[aTensor].shape[3], cb = model.tensors[bTensor].shape[3]
        for batch in 0..<batches {
            for row in out.rows {
                for col in out.cols {
                    let ia = la(batch, row, col), ib = lb(batch, row, col)
                    let to = out.offset(batch: batch, row: row, col: col, channels: channels)
                    for c in 0..<channels {
                        y[to + c] = f(a.data[ia + (ca == 1 ? 0 : c)], b.data[ib + (cb == 1 ? 0 : c)])
                    }
                }
            }
        }
    }
}
