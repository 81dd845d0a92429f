import PatchTopModel

extension Interpreter {
    /// Turns one op into a step: checks the types and quantization the
    /// runtime supports, decodes weights and computes multipliers and clamps
    /// once, so that running only moves bytes.
    static func prepare(_ op: Operator, _ model: Model) throws(RuntimeError) -> Step {
        let t = model.tensors
        func tensor(_ slot: Int) throws(RuntimeError) -> Tensor {
            guard let i = op.input(slot) else { throw .unsupported(op, "input \(slot) is missing") }
            return t[i]
        }
        func quant(_ tensor: Tensor) throws(RuntimeError) -> Quantization {
            guard let q = tensor.quantization, !q.scales.isEmpty else {
                throw .unsupported(op, "tensor \(tensor.index) is not quantized")
            }
            // Scales a converter can emit: positive, finite, and far from
            // the ends of Float, so that ratios of them stay finite.
            guard q.scales.allSatisfy({ $0.isFinite && $0 > 1e-30 && $0 < 1e30 }) else {
                throw .unsupported(op, "tensor \(tensor.index) has a quantization scale that is zero, negative or not finite")
            }
            if tensor.type == .int8 {
                guard q.zeroPoints.allSatisfy({ (-128...127).contains($0) }) else {
                    throw .unsupported(op, "tensor \(tensor.index) has a zero point outside −128…127")
                }
            }
            return q
        }
        /// A requantization the fixed-point arithmetic can represent.
        func checkShifts(_ shifts: [Int32]) throws(RuntimeError) {
            guard shifts.allSatisfy({ (-31...30).contains($0) }) else {
                throw .unsupported(op, "a requantization scale is out of range")
            }
        }
        func requireInt8(_ tensor: Tensor) throws(RuntimeError) {
            guard tensor.type == .int8 else { throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not int8") }
        }
        func range(_ out: Tensor) throws(RuntimeError) -> (min: Int32, max: Int32) {
            let q = try quant(out)
            guard let r = activationRangeInt8(op.options.activation, scale: q.scale, zeroPoint: q.zeroPoint) else {
                throw .unsupported(op, "fused activation \(op.options.activation)")
            }
            return r
        }
        func weights(_ tensor: Tensor) throws(RuntimeError) -> [Int8] {
            guard tensor.type == .int8, let data = tensor.data else {
                throw .unsupported(op, "weights tensor \(tensor.index) is not constant int8")
            }
            guard tensor.elementCount > 0, out.elementCount > 0 else {
                throw .unsupported(op, "weights tensor \(tensor.index) \(tensor.shape) or output \(out.shape) is empty")
            }
            return data.map { Int8(bitPattern: $0) }
        }
        func bias(_ slot: Int, count: Int) throws(RuntimeError) -> [Int32]? {
            guard let i = op.input(slot) else { return nil }
            guard t[i].type == .int32, let data = t[i].data else {
                throw .unsupported(op, "bias tensor \(i) is not constant int32")
            }
            guard data.count >= 4 * count else {
                throw .unsupported(op, "bias tensor \(i) has \(data.count / 4) values for \(count) output channels")
            }
            return stride(from: 0, to: 4 * count, by: 4).map { k in
                Int32(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24)
            }
        }
        func int32s(_ tensor: Tensor) throws(RuntimeError) -> [Int] {
            guard let data = tensor.data else { throw .unsupported(op, "tensor \(tensor.index) must be constant") }
            switch tensor.type {
            case .int32:
                return stride(from: 0, to: data.count - 3, by: 4).map { k in
                    Int(Int32(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24))
                }
            case .int64:
                return stride(from: 0, to: data.count - 7, by: 8).map { k in
                    var v: UInt64 = 0
                    for j in 0..<8 { v |= UInt64(data[k + j]) << (8 * j) }
                    return Int(Int64(bitPattern: v))
                }
            default:
                throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not int32")
            }
        }

        let out = t[op.output]
        /// The one int8 input and the int8 output of an elementwise op, with
        /// their quantizations.
        func int8InOut() throws(RuntimeError) -> (input: Tensor, qi: Quantization, qo: Quantization) {
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            return (input, try quant(input), try quant(out))
        }
        switch op.kind {
        case .conv2D:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            guard filter.shape[3] == input.shape[3] else { throw .unsupported(op, "grouped convolution") }
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let oc = filter.shape[0]
            guard qf.scales.count == 1 || qf.scales.count >= oc else { throw .unsupported(op, "filter has \(qf.scales.count) scales for \(oc) channels") }
            let (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale, channels: oc)
            try checkShifts(s)
            let r = try range(out)
            let p = Conv2DParams(batches: input.shape[0], inputChannels: input.shape[3], outputChannels: oc, height: h, width: w,
                                 inputOffset: -qi.zeroPoint, outputOffset: qo.zeroPoint, multipliers: m, shifts: s,
                                 activationMin: r.min, activationMax: r.max)
            return .conv(Conv2DKernel(p, filter: try weights(filter), bias: try bias(2, count: oc)), input: input.index, output: out.index)
        case .depthwiseConv2D:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let oc = filter.shape[3], ic = input.shape[3]
            guard qf.scales.count == 1 || qf.scales.count >= oc else { throw .unsupported(op, "filter has \(qf.scales.count) scales for \(oc) channels") }
            let (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale, channels: oc)
            try checkShifts(s)
            let r = try range(out)
            let p = DepthwiseConv2DParams(batches: input.shape[0], inputChannels: ic, depthMultiplier: oc / ic, height: h, width: w,
                                          inputOffset: -qi.zeroPoint, outputOffset: qo.zeroPoint, multipliers: m, shifts: s,
                                          activationMin: r.min, activationMax: r.max)
            return .depthwise(DepthwiseConv2DKernel(p, filter: try weights(filter), bias: try bias(2, count: oc)), input: input.index, output: out.index)
        case .fullyConnected:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let depth = filter.shape[1], oc = filter.shape[0]
            guard depth > 0, input.elementCount % depth == 0, out.elementCount == input.elementCount / depth * oc else {
                throw .unsupported(op, "weights \(filter.shape) do not match input \(input.shape) and output \(out.shape)")
            }
            guard !qf.isPerChannel || qf.scales.count >= oc else { throw .unsupported(op, "filter has \(qf.scales.count) scales for \(oc) rows") }
            var m = [Int32](), s = [Int32]()
            if qf.isPerChannel {
                (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale,
                                               channels: filter.shape[0])
            } else {
                let one = FullyConnectedParams.multiplier(inputScale: qi.scale, filterScale: qf.scale, outputScale: qo.scale)
                (m, s) = ([one.0], [one.1])
            }
            try checkShifts(s)
            let r = try range(out)
            var p = FullyConnectedParams(batches: input.elementCount / depth, inputDepth: depth, outputDepth: filter.shape[0],
                                         inputOffset: -qi.zeroPoint, filterOffset: -qf.zeroPoint, outputOffset: qo.zeroPoint,
                                         multipliers: m, shifts: s, activationMin: r.min, activationMax: r.max)
            p.singleRounding = qf.isPerChannel
            return .fullyConnected(FullyConnectedKernel(p, filter: try weights(filter), bias: try bias(2, count: oc)), input: input.index, output: out.index)
        case .averagePool2D, .maxPool2D:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            let r = try range(out)
            let p = PoolParams(batches: input.shape[0], channels: input.shape[3], height: h, width: w,
                               activationMin: r.min, activationMax: r.max)
            return .pool(op.kind == .averagePool2D ? .average : .max, p, input: input.index, output: out.index)
        case .add, .mul, .sub, .maximum, .minimum:
            let a = try tensor(0), b = try tensor(1)
            try requireInt8(a)
            try requireInt8(b)
            try requireInt8(out)
            guard a.shape.count <= 4, b.shape.count <= 4, out.shape.count <= 4 else { throw .unsupported(op, "rank above 4") }
            func rank4(_ shape: [Int]) -> [Int] { [Int](repeating: 1, count: 4 - shape.count) + shape }
            let sa = rank4(a.shape), sb = rank4(b.shape), so = rank4(out.shape)
            func broadcasts(_ d: Int) -> Bool {
                let aFits = sa[d] == so[d] || sa[d] == 1
                let bFits = sb[d] == so[d] || sb[d] == 1
                return aFits && bFits && so[d] == max(sa[d], sb[d])
            }
            guard (0..<4).allSatisfy(broadcasts) else {
                throw .unsupported(op, "shapes \(a.shape) and \(b.shape) do not broadcast to \(out.shape)")
            }
            func binary(_ table: BinaryTableInt8) -> Step {
                .binary(table, a.index, a.shape, b.index, b.shape, output: out.index, out.shape)
            }
            switch op.kind {
            case .maximum:
                // TFLite compares the raw bytes and copies the larger: no
                // requantization (the converter gives inputs and output one
                // scale and zero point).
                return binary(BinaryTableInt8 { max($0, $1) })
            case .minimum:
                return binary(BinaryTableInt8 { min($0, $1) })
            default:
                break
            }
            let qa = try quant(a), qb = try quant(b), qo = try quant(out)
            let r = try range(out)
            switch op.kind {
            case .add, .sub:
                let make = op.kind == .add ? AddParams.init : AddParams.sub
                let p = make(qa.scale, qa.zeroPoint, qb.scale, qb.zeroPoint, qo.scale, qo.zeroPoint, r.min, r.max)
                // The ADD kernel only shifts right: a scale ratio that needs
                // a left shift is one TFLite refuses too.
                guard [p.input1Shift, p.input2Shift, p.outputShift].allSatisfy({ (-31...0).contains($0) }) else {
                    throw .unsupported(op, "a requantization scale is out of range")
                }
                return binary(BinaryTableInt8(p.apply))
            default:
                let p = MulParams(input1Scale: qa.scale, input1ZeroPoint: qa.zeroPoint, input2Scale: qb.scale,
                                  input2ZeroPoint: qb.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint,
                                  activationMin: r.min, activationMax: r.max)
                return binary(BinaryTableInt8(p.apply))
            }
        case .reshape, .squeeze:
            let input = try tensor(0)
            guard input.byteCount == out.byteCount else { throw .unsupported(op, "byte sizes differ") }
            return .copy(input: input.index, output: out.index)
        case .relu, .relu6:
            let (input, qi, qo) = try int8InOut()
            let p = ReluParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale,
                               outputZeroPoint: qo.zeroPoint, upperBound: op.kind == .relu6 ? 6 : nil)
            return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
        case .quantize:
            let input = try tensor(0)
            if input.type == .float32 {
                try requireInt8(out)
                let qo = try quant(out)
                return .quantize(scale: qo.scale, zeroPoint: qo.zeroPoint, input: input.index, output: out.index)
            }
            // int8 or uint8 in and out (a uint8 camera input, a uint8 output
            // for an older consumer): TFLite's Requantize, tabulated per byte.
            let bytes: [ElementType] = [.int8, .uint8]
            guard bytes.contains(input.type), bytes.contains(out.type) else {
                throw .unsupported(op, "QUANTIZE from \(input.type.name) to \(out.type.name)")
            }
            let qi = try quant(input), qo = try quant(out)
            guard input.type == .int8 || (0...255).contains(qi.zeroPoint), out.type == .int8 || (0...255).contains(qo.zeroPoint) else {
                throw .unsupported(op, "a uint8 zero point outside 0…255")
            }
            let p = RequantizeParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            try checkShifts([p.shift])
            let unsignedIn = input.type == .uint8, unsignedOut = out.type == .uint8
            return .lookup(LookupTableInt8 { byte in
                let value = unsignedIn ? Int32(UInt8(bitPattern: byte)) : Int32(byte)
                let q = FixedPoint.multiplyByQuantizedMultiplier(value - p.inputZeroPoint, p.multiplier, p.shift) &+ p.outputZeroPoint
                return unsignedOut ? Int8(bitPattern: UInt8(clamping: q)) : Int8(clamping: q)
            }, input: input.index, output: out.index)
        case .dequantize:
            let input = try tensor(0)
            try requireInt8(input)
            guard out.type == .float32 else { throw .unsupported(op, "output is \(out.type.name), not float32") }
            let qi = try quant(input)
            return .dequantize(scale: qi.scale, zeroPoint: qi.zeroPoint, input: input.index, output: out.index)
        case .mean:
            let input = try tensor(0), axes = try int32s(try tensor(1))
            try requireInt8(input)
            try requireInt8(out)
            guard input.shape.count == 4, Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [1, 2], axes.count == 2 else {
                throw .unsupported(op, "only the mean over height and width of a 4-D tensor")
            }
            var keepDims = false
            if case .reducer(let k) = op.options { keepDims = k }
            guard out.elementCount == input.shape[0] * input.shape[3] else {
                throw .unsupported(op, "output \(out.shape) is not one value per batch and channel of \(input.shape)")
            }
            let qi = try quant(input), qo = try quant(out)
            let p = MeanParams(batches: input.shape[0], height: input.shape[1], width: input.shape[2], channels: input.shape[3],
                               keepDims: keepDims, inputScale: qi.scale, inputZeroPoint: qi.zeroPoint,
                               outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .mean(p, input: input.index, output: out.index)
        case .pad:
            let input = try tensor(0), pads = try int32s(try tensor(1))
            try requireInt8(input)
            try requireInt8(out)
            guard input.shape.count <= 4, pads.count == 2 * input.shape.count else { throw .unsupported(op, "paddings shape") }
            if op.input(2) != nil { throw .unsupported(op, "explicit pad value") }
            let qo = try quant(out)
            let paddings = (0..<input.shape.count).map { Paddings(before: pads[2 * $0], after: pads[2 * $0 + 1]) }
            let padded = zip(input.shape, paddings).map { $0 + $1.before + $1.after }
            guard paddings.allSatisfy({ $0.before >= 0 && $0.after >= 0 && $0.before < 1 << 20 && $0.after < 1 << 20 }),
                  padded == out.shape else {
                throw .unsupported(op, "paddings \(pads) do not take \(input.shape) to \(out.shape)")
            }
            return .pad(input: input.index, shape: input.shape, paddings: paddings, value: Int8(clamping: qo.zeroPoint), output: out.index)
        case .concatenation:
            guard case .concatenation(let axis, let activation) = op.options else { throw .unsupported(op, "options") }
            guard activation == .none else { throw .unsupported(op, "fused activation") }
            try requireInt8(out)
            let qo = try quant(out)
            var inputs = [Int](), shapes = [[Int]]()
            for i in op.inputs where i >= 0 {
                try requireInt8(t[i])
                let q = try quant(t[i])
                guard q.scale == qo.scale, q.zeroPoint == qo.zeroPoint else { throw .unsupported(op, "inputs with rescaling") }
                inputs.append(i)
                shapes.append(t[i].shape)
            }
            return .concat(inputs: inputs, shapes: shapes, axis: axis < 0 ? axis + out.shape.count : axis, output: out.index)
        case .softmax:
            let (input, qi, qo) = try int8InOut()
            guard qo.scale == 1.0 / 256, qo.zeroPoint == -128 else { throw .unsupported(op, "output quantization must be 1/256, -128") }
            guard case .softmax(let beta) = op.options, let depth = input.shape.last, depth > 0 else { throw .unsupported(op, "options") }
            let p = SoftmaxParams(beta: beta, inputScale: qi.scale, rows: input.elementCount / depth, depth: depth)
            return .softmax(p, input: input.index, output: out.index)
        case .hardSwish:
            let (input, qi, qo) = try int8InOut()
            let p = HardSwishParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            guard p.outputExponent <= 0 else { throw .unsupported(op, "output scale too small for the input scale") }
            return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
        case .logistic:
            let (input, qi, qo) = try int8InOut()
            let p = LookupTableInt8.logistic(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .lookup(p, input: input.index, output: out.index)
        case .leakyRelu:
            let (input, qi, qo) = try int8InOut()
            var alpha: Float = 0   // TFLite's default when the options table is absent
            if case .leakyRelu(let a) = op.options { alpha = a }
            guard let p = LeakyReluParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale,
                                          outputZeroPoint: qo.zeroPoint, alpha: alpha) else {
                throw .unsupported(op, "alpha \(alpha) with these scales gives no finite multiplier")
            }
            try checkShifts([p.identityShift, p.alphaShift])
            return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
        case .tanh:
            let (input, qi, qo) = try int8InOut()
            let p = LookupTableInt8.tanh(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .lookup(p, input: input.index, output: out.index)
        case .resizeNearestNeighbor:
            return try prepareResizeNearest(op, model, size: int32s(tensor(1)))
        case .other:
            throw .unsupported(op)
        }
    }
}
