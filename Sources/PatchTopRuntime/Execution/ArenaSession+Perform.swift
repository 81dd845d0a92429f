import PatchTopModel

/// Running one step on pointers into the arena.
///
/// Windowed ops (conv, depthwise, pooling) take their regions directly.
/// Elementwise ops, PAD and channel CONCATENATION walk the rows of the
/// region the step computes; layer by layer that region is the whole
/// tensor. Ops that read every position run only whole.
extension ArenaSession {
    func perform(_ step: PreparedModel.Step, op: Operator, _ instruction: Instruction) throws(RuntimeError) {
        func slot(_ tensor: Int) throws(RuntimeError) -> Operand {
            guard let operand = instruction.operands[tensor] else {
                throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "reads tensor \(tensor), which has no place in memory")
            }
            return operand
        }
        func bytes(_ operand: Operand) -> UnsafeBufferPointer<Int8> {
            UnsafeBufferPointer(start: pointer(operand).assumingMemoryBound(to: Int8.self), count: operand.bytes)
        }
        func floats(_ operand: Operand) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(start: pointer(operand).assumingMemoryBound(to: Float.self), count: operand.bytes / 4)
        }
        func mutableFloats(_ operand: Operand) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(start: pointer(operand).assumingMemoryBound(to: Float.self), count: operand.bytes / 4)
        }
        let out = instruction.output
        let y = UnsafeMutableBufferPointer(start: pointer(out).assumingMemoryBound(to: Int8.self), count: out.bytes)
        let isWhole = instruction.step.patch == nil
        if instruction.fusedAway { return }

        switch step {
        case let .conv(kernel, input, _):
            let x = try slot(input)
            if let fusion = instruction.fusion {
                fusedResidualConv(kernel, input: x, bytes(x), fusion, instruction)
                return
            }
            kernel.run(input: bytes(x), inputRegion: x.region, output: y, outputRegion: out.region,
                       outputRows: instruction.rows, outputCols: instruction.cols)
        case let .depthwise(kernel, input, _):
            let x = try slot(input)
            if let staging = instruction.staging {
                guard x.location == out.location else {
                    throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "runs in place but its input and output do not share a buffer")
                }
                kernel.runInPlace(buffer: pointer(out).assumingMemoryBound(to: Int8.self), inputRegion: x.region, outputRegion: out.region,
                                  outputRows: instruction.rows, outputCols: instruction.cols,
                                  staging: pointer(staging).assumingMemoryBound(to: Int8.self), stagingBytes: staging.bytes)
                return
            }
            kernel.run(input: bytes(x), inputRegion: x.region, output: y, outputRegion: out.region,
                       outputRows: instruction.rows, outputCols: instruction.cols)
        case let .pool(kind, p, input, _):
            let x = try slot(input)
            poolInt8(kind, p, input: bytes(x), inputRegion: x.region, output: y, outputRegion: out.region,
                     outputRows: instruction.rows, outputCols: instruction.cols)
        case let .fullyConnected(kernel, input, _):
            kernel.run(input: bytes(try slot(input)), output: y)
        case let .binary(table, a, sa, b, sb, _, so):
            try binary(a: slot(a), sa, b: slot(b), sb, so, instruction, isWhole: isWhole, table)
        case let .copy(input, _):
            let x = try slot(input)
            pointer(out).copyMemory(from: pointer(x), byteCount: min(x.bytes, out.bytes))
        case let .lookup(table, input, _):
            try lookup(slot(input), instruction, table)
        case let .quantize(scale, zeroPoint, input, _):
            let source = try slot(input)
            let x = pointer(source)
            let target = y.baseAddress!
            forEachRun(of: source, instruction) { from, to, count in
                quantizeFloatRun(x + 4 * from, count: count, scale: scale, zeroPoint: zeroPoint, output: target + to)
            }
        case let .dequantize(scale, zeroPoint, input, _):
            let x = try slot(input)
            let source = bytes(x), target = pointer(out)
            forEachRun(of: x, instruction) { from, to, count in
                for i in 0..<count {
                    target.storeBytes(of: dequantizeInt8(source[from + i], scale: scale, zeroPoint: zeroPoint),
                                      toByteOffset: 4 * (to + i), as: Float.self)
                }
            }
        case let .mean(p, input, _):
            meanInt8(p, input: bytes(try slot(input)), output: y)
        case let .meanFloat(loops, input, _):
            let x = try slot(input)
            meanFloat(loops, input: floats(x), output: mutableFloats(out))
        case let .stridedSlice(p, input, _):
            guard isWhole else { throw RuntimeError.notPatchable(op: op.index, kind: op.kind.name, reason: "it runs on whole tensors only") }
            stridedSlice(p, input: pointer(try slot(input)), output: pointer(out))
        case let .transpose(p, input, _):
            guard isWhole else { throw RuntimeError.notPatchable(op: op.index, kind: op.kind.name, reason: "it runs on whole tensors only") }
            transpose(p, input: pointer(try slot(input)), output: pointer(out))
        case let .logSoftmax(p, input, _):
            logSoftmaxInt8(p, input: bytes(try slot(input)), output: y)
        case .floatConv, .floatPool, .floatFullyConnected, .floatBinary, .floatUnary, .softmaxFloat, .logSoftmaxFloat, .padFloat:
            try performFloat(step, op: op, instruction, slot: slot)
        case .refused(let error):
            throw .refusedStep(error)
        case let .fill(values, _):
            values.withUnsafeBytes { pointer(out).copyMemory(from: $0.baseAddress!, byteCount: min($0.count, out.bytes)) }
        case let .softmax(p, input, _):
            softmaxInt8(p, input: bytes(try slot(input)), output: y)
        case let .resizeNearest(p, input, _):
            guard isWhole else {
                throw .notPatchable(op: op.index, kind: op.kind.name, reason: "it runs on whole tensors only")
            }
            resizeNearestInt8(p, input: bytes(try slot(input)), output: y)
        case let .pad(input, shape, paddings, value, _):
            let x = try slot(input)
            if isWhole {
                padInt8(input: bytes(x), inputShape: shape, paddings: paddings.map { ($0.before, $0.after) },
                        padValue: value, output: y)
            } else {
                padRegion(x, shape: shape, paddings: paddings, fill: UInt8(bitPattern: value), elementBytes: 1, instruction)
            }
        case let .concat(inputs, shapes, axis, _):
            var views: [Operand] = []
            for tensor in inputs { views.append(try slot(tensor)) }
            if isWhole {
                concatenateInt8(inputs: views.map(bytes), shapes: shapes, axis: axis, output: y)
            } else {
                concatRegion(views, channels: shapes.map { $0[3] }, instruction, y)
            }
        }
    }

    /// A conv with its residual ADD fused in: each output row goes to the
    /// scratch row, then `ADD(conv, skip)` (in the ADD's operand order)
    /// overwrites the skip's row. The conv never reads the skip, so the skip
    /// can be overwritten row by row.
    func fusedResidualConv(_ kernel: Conv2DKernel, input x: Operand, _ xBytes: UnsafeBufferPointer<Int8>,
                           _ fusion: Instruction.Fusion, _ instruction: Instruction) {
        let channels = kernel.params.outputChannels
        let rowBytes = instruction.cols.count * channels
        let scratch = pointer(fusion.scratch).assumingMemoryBound(to: Int8.self)
        let row = UnsafeRawPointer(scratch).assumingMemoryBound(to: UInt8.self)
        let skip = pointer(fusion.skip)
        fusion.add.table.withUnsafeBufferPointer { t in
            for y in instruction.rows {
                let line = Region2D(y: y, x: instruction.cols.lowerBound, height: 1, width: instruction.cols.count)
                kernel.run(input: xBytes, inputRegion: x.region,
                           output: UnsafeMutableBufferPointer(start: scratch, count: min(rowBytes, fusion.scratch.bytes)),
                           outputRegion: line, outputRows: y..<(y + 1), outputCols: instruction.cols)
                let base = fusion.skip.region.offset(batch: 0, row: y, col: instruction.cols.lowerBound, channels: channels)
                let bytes = (skip + base).assumingMemoryBound(to: UInt8.self)
                for j in 0..<rowBytes {
                    // Read the skip's byte, then write the sum over it.
                    let conv = Int(row[j]), residual = Int(bytes[j])
                    bytes[j] = UInt8(bitPattern: t[fusion.convOutputIsFirst ? conv << 8 | residual : residual << 8 | conv])
                }
            }
        }
    }

    /// Calls `body(inputElement, outputElement, count)` for each contiguous
    /// run of the step's output positions: one run over the whole tensor
    /// layer by layer, one per row inside a patch.
    func forEachRun(of input: Operand, _ instruction: Instruction, _ body: (Int, Int, Int) -> Void) {
        forEachRun(of: input, input, instruction) { from, _, to, count in body(from, to, count) }
    }

    /// `forEachRun` over two inputs of the output's shape, each held in its
    /// own region: `body(firstElement, secondElement, outputElement, count)`.
    func forEachRun(of first: Operand, _ second: Operand, _ instruction: Instruction, _ body: (Int, Int, Int, Int) -> Void) {
        let model = program.prepared.model
        let outTensor = model.tensors[model.operators[instruction.step.op].output]
        guard instruction.step.patch != nil else {
            body(0, 0, 0, outTensor.elementCount)
            return
        }
        let channels = outTensor.shape[3], col = instruction.cols.lowerBound
        for row in instruction.rows {
            body(first.region.offset(batch: 0, row: row, col: col, channels: channels),
                 second.region.offset(batch: 0, row: row, col: col, channels: channels),
                 instruction.output.region.offset(batch: 0, row: row, col: col, channels: channels),
                 instruction.cols.count * channels)
        }
    }

    func lookup(_ input: Operand, _ instruction: Instruction, _ table: LookupTableInt8) {
        let x = pointer(input).assumingMemoryBound(to: UInt8.self)
        let y = pointer(instruction.output).assumingMemoryBound(to: Int8.self)
        table.table.withUnsafeBufferPointer { tb in
            guard let t = tb.baseAddress else { return }
            forEachRun(of: input, instruction) { from, to, count in
                // Pointers fixed per run, so the loop is loads and a store.
                let xs = x + from, out = y + to
                for i in 0..<count { out[i] = t[Int(xs[i])] }
            }
        }
    }

    /// ADD / MUL. Layer by layer this is TFLite's broadcast over shapes of
    /// rank ≤ 4; inside a patch, inputs of one row, column or channel (and
    /// constants of lower rank) are broadcast the same way, position by
    /// position.
    func binary(a: Operand, _ shapeA: [Int], b: Operand, _ shapeB: [Int], _ shapeOut: [Int], _ instruction: Instruction,
                isWhole: Bool, _ table: BinaryTableInt8) {
        let pa = pointer(a).assumingMemoryBound(to: Int8.self), pb = pointer(b).assumingMemoryBound(to: Int8.self)
        let y = pointer(instruction.output).assumingMemoryBound(to: Int8.self)
        func rank4(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: max(0, 4 - s.count)) + s }
        if rank4(shapeA) == rank4(shapeOut) && rank4(shapeB) == rank4(shapeOut) {
            // Same shapes: walk runs of positions (one run layer by layer).
            table.table.withUnsafeBufferPointer { tb in
                guard let t = tb.baseAddress else { return }
                let ua = UnsafeRawPointer(pa).assumingMemoryBound(to: UInt8.self)
                let ub = UnsafeRawPointer(pb).assumingMemoryBound(to: UInt8.self)
                forEachRun(of: a, b, instruction) { fromA, fromB, to, count in
                    let xa = ua + fromA, xb = ub + fromB, out = y + to
                    for i in 0..<count { out[i] = t[Int(xa[i]) << 8 | Int(xb[i])] }
                }
            }
            return
        }
        let featureMaps = [shapeA, shapeB, shapeOut].allSatisfy { $0.count <= 4 && rank4($0)[0] == 1 }
        if isWhole && !featureMaps {
            broadcastBinaryInt8(shape1: shapeA, UnsafeBufferPointer(start: pa, count: a.bytes),
                                shape2: shapeB, UnsafeBufferPointer(start: pb, count: b.bytes),
                                outputShape: shapeOut, UnsafeMutableBufferPointer(start: y, count: instruction.output.bytes),
                                table.apply)
            return
        }
        // Broadcast position by position: an input of one row, column or
        // channel (or a constant of lower rank) repeats along it.
        let sa = rank4(shapeA), sb = rank4(shapeB), channels = rank4(shapeOut)[3]
        let stepA = sa[3] == 1 ? 0 : 1, stepB = sb[3] == 1 ? 0 : 1
        let ua = UnsafeRawPointer(pa).assumingMemoryBound(to: UInt8.self)
        let ub = UnsafeRawPointer(pb).assumingMemoryBound(to: UInt8.self)
        table.table.withUnsafeBufferPointer { tb in
            guard let t = tb.baseAddress else { return }
            for row in instruction.rows {
                for col in instruction.cols {
                    let ia = a.region.offset(batch: 0, row: sa[1] == 1 ? a.region.y : row, col: sa[2] == 1 ? a.region.x : col, channels: sa[3])
                    let ib = b.region.offset(batch: 0, row: sb[1] == 1 ? b.region.y : row, col: sb[2] == 1 ? b.region.x : col, channels: sb[3])
                    let to = instruction.output.region.offset(batch: 0, row: row, col: col, channels: channels)
                    let xa = ua + ia, xb = ub + ib, out = y + to
                    if stepA == 1 && stepB == 1 {
                        // A per-channel scale (squeeze-excite's MUL): both walk along.
                        for c in 0..<channels { out[c] = t[Int(xa[c]) << 8 | Int(xb[c])] }
                    } else {
                        for c in 0..<channels { out[c] = t[Int(xa[c * stepA]) << 8 | Int(xb[c * stepB])] }
                    }
                }
            }
        }
    }

    /// PAD over the step's rows and columns, for int8 and float32 alike: a
    /// position outside the input (or a padded channel) takes the pad,
    /// which is one repeated byte (the int8 zero point, or 0.0's zero
    /// bytes). Without channel padding, a row's pixels inside the input are
    /// one contiguous run on both sides and move with one copy.
    func padRegion(_ input: Operand, shape: [Int], paddings: [PreparedModel.Paddings], fill: UInt8, elementBytes: Int,
                   _ instruction: Instruction) {
        let x = pointer(input).assumingMemoryBound(to: UInt8.self)
        let y = pointer(instruction.output).assumingMemoryBound(to: UInt8.self)
        let inChannels = shape[3], before = paddings[3].before
        let outChannels = inChannels + before + paddings[3].after
        let pixelIn = inChannels * elementBytes, pixelOut = outChannels * elementBytes
        let cols = instruction.cols, top = paddings[1].before, left = paddings[2].before
        for row in instruction.rows {
            let to = y + instruction.output.region.offset(batch: 0, row: row, col: cols.lowerBound, channels: outChannels) * elementBytes
            let iy = row - top
            guard iy >= 0, iy < shape[1] else {
                to.update(repeating: fill, count: cols.count * pixelOut)
                continue
            }
            // Output columns whose input column is inside the image.
            let low = min(max(cols.lowerBound, left), cols.upperBound)
            let inside = low..<max(low, min(cols.upperBound, shape[2] + left))
            if before == 0 && outChannels == inChannels {
                let lead = (inside.lowerBound - cols.lowerBound) * pixelOut
                to.update(repeating: fill, count: lead)
                if !inside.isEmpty {
                    let from = x + input.region.offset(batch: 0, row: iy, col: inside.lowerBound - left, channels: inChannels) * elementBytes
                    (to + lead).update(from: from, count: inside.count * pixelOut)
                }
                let done = lead + inside.count * pixelOut
                (to + done).update(repeating: fill, count: cols.count * pixelOut - done)
                continue
            }
            for col in cols {
                let pixel = to + (col - cols.lowerBound) * pixelOut
                pixel.update(repeating: fill, count: pixelOut)
                guard inside.contains(col) else { continue }
                let from = x + input.region.offset(batch: 0, row: iy, col: col - left, channels: inChannels) * elementBytes
                (pixel + before * elementBytes).update(from: from, count: pixelIn)
            }
        }
    }

    /// Channel CONCATENATION over the step's rows and columns.
    func concatRegion(_ inputs: [Operand], channels: [Int], _ instruction: Instruction, _ y: UnsafeMutableBufferPointer<Int8>) {
        let total = channels.reduce(0, +)
        for row in instruction.rows {
            for col in instruction.cols {
                var to = instruction.output.region.offset(batch: 0, row: row, col: col, channels: total)
                for (input, count) in zip(inputs, channels) {
                    let from = input.region.offset(batch: 0, row: row, col: col, channels: count)
                    (pointer(instruction.output) + to).copyMemory(from: pointer(input) + from, byteCount: count)
                    to += count
                }
            }
        }
    }
}
