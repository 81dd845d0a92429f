import PatchTopModel

/// The ops with weights: their filters, biases and per-channel multipliers.
extension OpPreparer {
    /// CONV_2D: per-channel multipliers, weights and bias for `Conv2DKernel`.
    func conv() throws(RuntimeError) -> PreparedModel.Step {
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
    }

    /// DEPTHWISE_CONV_2D, any depth multiplier.
    func depthwise() throws(RuntimeError) -> PreparedModel.Step {
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
    }

    /// FULLY_CONNECTED with per-tensor or per-channel weights.
    func fullyConnected() throws(RuntimeError) -> PreparedModel.Step {
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
            // The scale product is taken in float, as TFLite does: it can
            // overflow or vanish where the scales alone are valid.
            try checkMultiplier(Double(qi.scale * qf.scale) / Double(qo.scale), "input scale × filter scale / output scale",
                                tensor: filter.index)
            let one = FullyConnectedParams.multiplier(inputScale: qi.scale, filterScale: qf.scale, outputScale: qo.scale)
            (m, s) = ([one.0], [one.1])
        }
        try checkShifts(s)
        let r = try range(out)
        let p = FullyConnectedParams(batches: input.elementCount / depth, inputDepth: depth, outputDepth: filter.shape[0],
                                     inputOffset: -qi.zeroPoint, filterOffset: -qf.zeroPoint, outputOffset: qo.zeroPoint,
                                     multipliers: m, shifts: s, activationMin: r.min, activationMax: r.max)
        // TFLite Micro rescales per-channel FC like every other op (SRDHM
        // then a rounding shift); LiteRT 2.3.0's reference rounds once
        // (`singleRounding`). We follow TFLite Micro (README).
        return .fullyConnected(FullyConnectedKernel(p, filter: try weights(filter), bias: try bias(2, count: oc)), input: input.index, output: out.index)
    }

    /// AVERAGE_POOL_2D and MAX_POOL_2D: a window, no weights.
    func pool() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0)
        try requireInt8(input)
        try requireInt8(out)
        guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
        let r = try range(out)
        let p = PoolParams(batches: input.shape[0], channels: input.shape[3], height: h, width: w,
                           activationMin: r.min, activationMax: r.max)
        return .pool(op.kind == .averagePool2D ? .average : .max, p, input: input.index, output: out.index)
    }
}
