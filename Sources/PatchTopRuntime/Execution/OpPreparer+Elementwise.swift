import PatchTopModel

/// Position-by-position ops, tabulated from their exact definitions.
extension OpPreparer {
    /// Refuses two inputs that do not broadcast to the output under
    /// TFLite's rules (rank ≤ 4, each dimension equal or 1).
    func requireBroadcast(_ a: Tensor, _ b: Tensor) throws(RuntimeError) {
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
    }

    /// ADD, SUB, MUL, MAXIMUM, MINIMUM with TFLite's broadcasting, as one 65,536-entry table.
    func binary() throws(RuntimeError) -> PreparedModel.Step {
        let a = try tensor(0), b = try tensor(1)
        try requireInt8(a)
        try requireInt8(b)
        try requireInt8(out)
        try requireBroadcast(a, b)
        func binary(_ table: BinaryTableInt8) -> PreparedModel.Step {
            .binary(table, a.index, a.shape, b.index, b.shape, output: out.index, out.shape)
        }
        switch op.kind {
        case .maximum:
            // TFLite compares the raw bytes and copies the larger: no
            // requantization (the converter gives inputs and output one
            // scale and zero point).
            return binary(BinaryTableInt8(.select(.maximum)))
        case .minimum:
            return binary(BinaryTableInt8(.select(.minimum)))
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
            return binary(BinaryTableInt8(p.arithmetic))
        default:
            try checkMultiplier(Double(qa.scale) * Double(qb.scale) / Double(qo.scale), "input scale × input scale / output scale",
                                tensor: out.index)
            let p = MulParams(input1Scale: qa.scale, input1ZeroPoint: qa.zeroPoint, input2Scale: qb.scale,
                              input2ZeroPoint: qb.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint,
                              activationMin: r.min, activationMax: r.max)
            return binary(BinaryTableInt8(p.arithmetic))
        }
    }

    /// RELU (it requantizes) and RELU6, as a table. TFLite Micro's int8
    /// RELU6 does not requantize: it clamps the raw bytes between the
    /// input's zero point and the input's quantized 6 (LiteRT 2.3.0's
    /// requantizes to the output's scale; we follow TFLite Micro).
    func relu() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        if op.kind == .relu6 {
            // FloatToQuantizedType(6, scale, zp): round half away from zero,
            // then clamp to int8 (checked, for absurd scales).
            let six = (Double(6 / qi.scale)).rounded(.toNearestOrAwayFromZero) + Double(qi.zeroPoint)
            let upper = Int8(six.isNaN ? 127 : min(max(six, -128), 127))
            let lower = Int8(clamping: qi.zeroPoint)
            return .lookup(LookupTableInt8 { x in x > upper ? upper : (x < lower ? lower : x) }, input: input.index, output: out.index)
        }
        // Divided in float, as TFLite does: the ratio of two valid scales
        // can still overflow float.
        try checkMultiplier(Double(qi.scale / qo.scale), "input scale / output scale", tensor: out.index)
        let p = ReluParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale,
                           outputZeroPoint: qo.zeroPoint, upperBound: op.kind == .relu6 ? 6 : nil)
        return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
    }

    /// QUANTIZE from float32, or between int8 and uint8.
    func quantize() throws(RuntimeError) -> PreparedModel.Step {
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
    }

    /// DEQUANTIZE int8 to float32.
    func dequantize() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0)
        try requireInt8(input)
        guard out.type == .float32 else { throw .unsupported(op, "output is \(out.type.name), not float32") }
        let qi = try quant(input)
        return .dequantize(scale: qi.scale, zeroPoint: qi.zeroPoint, input: input.index, output: out.index)
    }

    /// HARD_SWISH, as a table.
    func hardSwish() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        let hires = (1.0 as Float / 128.0) * qi.scale
        try checkMultiplier(Double(hires / qo.scale), "input scale / 128 / output scale", tensor: out.index)
        try checkMultiplier(Double(hires / (3.0 / 32768.0)), "input scale / 128 / (3 / 32768)", tensor: input.index)
        let p = HardSwishParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
        guard p.outputExponent <= 0 else { throw .unsupported(op, "output scale too small for the input scale") }
        return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
    }

    /// LOGISTIC, as TFLite's float lookup table.
    func logistic() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        let p = LookupTableInt8.logistic(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
        return .lookup(p, input: input.index, output: out.index)
    }

    /// LEAKY_RELU, as a table.
    func leakyRelu() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        var alpha: Float = 0   // TFLite's default when the options table is absent
        if case .leakyRelu(let a) = op.options { alpha = a }
        guard let p = LeakyReluParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale,
                                      outputZeroPoint: qo.zeroPoint, alpha: alpha) else {
            throw .unsupported(op, "alpha \(alpha) with these scales gives no finite multiplier")
        }
        try checkShifts([p.identityShift, p.alphaShift])
        return .lookup(LookupTableInt8(p.apply), input: input.index, output: out.index)
    }

    /// TANH, as TFLite's float lookup table.
    func tanh() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        let p = LookupTableInt8.tanh(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
        return .lookup(p, input: input.index, output: out.index)
    }
}
