import PatchTopModel

/// Running a float32 step on pointers into the arena. Windowed ops take
/// their regions directly; elementwise ops walk the rows of the region the
/// step computes, as the int8 ones do.
extension ArenaSession {
    func performFloat(_ step: PreparedModel.Step, op: Operator, _ instruction: Instruction, slot: (Int) throws(RuntimeError) -> Operand) throws(RuntimeError) {
        func floats(_ operand: Operand) -> UnsafeMutablePointer<Float> {
            pointer(operand).assumingMemoryBound(to: Float.self)
        }
        let out = instruction.output
        let y = floats(out)
        let isWhole = instruction.step.patch == nil
        switch step {
        case let .floatConv(kernel, input, _):
            let x = try slot(input)
            if let staging = instruction.staging {
                guard x.location == out.location else {
                    throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "runs in place but its input and output do not share a buffer")
                }
                guard kernel.isDepthwise, kernel.depthMultiplier == 1,
                      x.region.height * x.region.width * 4 <= staging.bytes else {
                    throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "cannot run in place")
                }
                kernel.runInPlace(buffer: y, inputRegion: x.region, outputRegion: out.region, outputRows: instruction.rows,
                                  outputCols: instruction.cols, staging: floats(staging), stagingCount: staging.bytes / 4)
                return
            }
            if instruction.fusion != nil {
                throw .unsupported(op: op.index, kind: op.kind.name, reason: "fusing a residual ADD into a float32 conv; run without --fuse-residual")
            }
            kernel.run(input: floats(x), inputRegion: x.region, output: y, outputRegion: out.region,
                       outputRows: instruction.rows, outputCols: instruction.cols)
        case let .floatPool(kernel, input, _):
            let x = try slot(input)
            kernel.run(input: floats(x), inputRegion: x.region, output: y, outputRegion: out.region,
                       outputRows: instruction.rows, outputCols: instruction.cols)
        case let .floatFullyConnected(kernel, input, _):
            kernel.run(input: floats(try slot(input)), output: y)
        case let .floatUnary(unary, input, _):
            let source = try slot(input)
            let x = floats(source)
            forEachRun(of: source, instruction) { from, to, count in
                unary.run(x + from, y + to, count: count)
            }
        case let .floatBinary(kind, clamp, a, sa, b, sb, _, so):
            try floatBinary(kind, clamp, a: slot(a), sa, b: slot(b), sb, so, instruction, isWhole: isWhole)
        case let .softmaxFloat(beta, rows, depth, input, _):
            softmaxFloat(beta: beta, rows: rows, depth: depth, input: floats(try slot(input)), output: y)
        case let .logSoftmaxFloat(rows, depth, input, _):
            let x = try slot(input)
            logSoftmaxFloat(rows: rows, depth: depth, input: UnsafeBufferPointer(start: floats(x), count: x.bytes / 4),
                            output: UnsafeMutableBufferPointer(start: y, count: out.bytes / 4))
        case let .padFloat(input, shape, paddings, _):
            let x = try slot(input)
            padFloat(x, shape: shape, paddings: paddings, instruction, isWhole: isWhole)
        default:
            throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "is not a float32 step")
        }
    }

    /// ADD, SUB, MUL, MAXIMUM, MINIMUM in float: position by position over
    /// the step's region for single-batch tensors (an input of one row,
    /// column or channel repeats along it), TFLite's 4-D broadcast otherwise.
    func floatBinary(_ kind: FloatBinaryOp, _ clamp: FloatClamp, a: Operand, _ shapeA: [Int], b: Operand, _ shapeB: [Int],
                     _ shapeOut: [Int], _ instruction: Instruction, isWhole: Bool) {
        let pa = pointer(a).assumingMemoryBound(to: Float.self), pb = pointer(b).assumingMemoryBound(to: Float.self)
        let y = pointer(instruction.output).assumingMemoryBound(to: Float.self)
        func rank4(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: max(0, 4 - s.count)) + s }
        let sa = rank4(shapeA), sb = rank4(shapeB), so = rank4(shapeOut)
        if sa == so && sb == so {
            forEachRun(of: a, b, instruction) { fromA, fromB, to, count in
                kind.run(pa + fromA, strideA: 1, pb + fromB, strideB: 1, y + to, count: count, clamp: clamp)
            }
            return
        }
        guard so[0] == 1, shapeA.count == 4 || isWhole, shapeB.count == 4 || isWhole, shapeOut.count == 4 || isWhole else {
            broadcastBinaryFloat(kind, clamp, shapeA: shapeA, pa, shapeB: shapeB, pb, outputShape: shapeOut, y)
            return
        }
        if isWhole && !(shapeA.count == 4 && shapeB.count == 4 && shapeOut.count == 4) {
            broadcastBinaryFloat(kind, clamp, shapeA: shapeA, pa, shapeB: shapeB, pb, outputShape: shapeOut, y)
            return
        }
        let channels = so[3]
        let stepA = sa[3] == 1 ? 0 : 1, stepB = sb[3] == 1 ? 0 : 1
        for row in instruction.rows {
            for col in instruction.cols {
                let ia = a.region.offset(batch: 0, row: sa[1] == 1 ? a.region.y : row, col: sa[2] == 1 ? a.region.x : col, channels: sa[3])
                let ib = b.region.offset(batch: 0, row: sb[1] == 1 ? b.region.y : row, col: sb[2] == 1 ? b.region.x : col, channels: sb[3])
                let to = instruction.output.region.offset(batch: 0, row: row, col: col, channels: channels)
                kind.run(pa + ia, strideA: stepA, pb + ib, strideB: stepB, y + to, count: channels, clamp: clamp)
            }
        }
    }

    /// PAD with 0.0 (all-zero bytes): the whole tensor of rank ≤ 4, or the
    /// step's rows and columns of a feature map.
    func padFloat(_ input: Operand, shape: [Int], paddings: [PreparedModel.Paddings], _ instruction: Instruction, isWhole: Bool) {
        let x = pointer(input).assumingMemoryBound(to: Float.self)
        let y = pointer(instruction.output).assumingMemoryBound(to: Float.self)
        if isWhole {
            let extra = 4 - shape.count
            let s = [Int](repeating: 1, count: extra) + shape
            let p = [PreparedModel.Paddings](repeating: .init(before: 0, after: 0), count: extra) + paddings
            let o = (0..<4).map { s[$0] + p[$0].before + p[$0].after }
            y.update(repeating: 0, count: instruction.output.bytes / 4)
            var src = 0
            // Without channel padding a row of pixels is contiguous on both sides.
            let run = p[3].before == 0 && p[3].after == 0 ? s[2] : 1
            for a in 0..<s[0] { for b in 0..<s[1] { for c in stride(from: 0, to: s[2], by: run) {
                let row = (((a + p[0].before) * o[1] + (b + p[1].before)) * o[2] + (c + p[2].before)) * o[3] + p[3].before
                (y + row).update(from: x + src, count: run * s[3])
                src += run * s[3]
            } } }
            return
        }
        padRegion(input, shape: shape, paddings: paddings, fill: 0, elementBytes: 4, instruction)
    }
}
