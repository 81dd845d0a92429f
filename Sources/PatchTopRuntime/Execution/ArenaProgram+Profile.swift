import PatchTopModel

/// Median time of one op of a program (all of its patches), for
/// `patchtop bench --per-op`: where an inference's time goes, measured in
/// the arena exactly as a run executes it.
public struct OpTiming: Sendable, Encodable {
    public var op: Int
    /// The op and its shape, e.g. "CONV_2D 1x1/1 16->96 @112x112".
    public var kind: String
    /// MACs the op performs under the program's plan.
    public var macs: Int
    public var milliseconds: Double
    /// Whether the op computes in float32 (its output is float), so its
    /// MAC rate compares with the float limit, not the int8 one.
    public var isFloat: Bool = false
}

/// Every op's median time, and what a run spends outside its ops.
public struct OpProfile: Sendable {
    /// Every op, in op order.
    public var ops: [OpTiming]
    /// The median, over the same runs, of a run's time outside its steps:
    /// copying the input in and going from step to step (the per-step clock
    /// reads included). Taken run by run, so it is never the difference of
    /// medians, which do not add.
    public var outsideMilliseconds: Double
}

extension ArenaProgram {
    /// Runs the program `runs` times step by step, on one session restarted
    /// each time as `timeInference` runs it, and returns each op's median
    /// time, in op order.
    public func opTimings(input: [Int8], runs: Int) throws(RuntimeError) -> [OpTiming] {
        try opProfile(input: input, runs: runs).ops
    }

    /// `opTimings`, and the time each run spent outside its steps.
    public func opProfile(input: [Int8], runs: Int) throws(RuntimeError) -> OpProfile {
        let model = prepared.model
        let clock = ContinuousClock()
        var samples = [[Double]](repeating: [], count: model.operators.count)
        var outside: [Double] = []
        let session = try ArenaSession(program: self, input: input)
        _ = try session.finish()
        var perOp = [Double](repeating: 0, count: model.operators.count)
        for _ in 0..<max(1, runs) {
            for op in perOp.indices { perOp[op] = 0 }
            let runStart = clock.now
            try session.restart(input: input)
            var inSteps = 0.0
            while let step = session.next {
                let start = clock.now
                try session.step()
                let ms = Self.milliseconds(clock.now - start)
                perOp[step.op] += ms
                inSteps += ms
            }
            outside.append(max(0, Self.milliseconds(clock.now - runStart) - inSteps))
            for (op, ms) in perOp.enumerated() { samples[op].append(ms) }
        }
        let ops = model.operators.map { op in
            let sorted = samples[op.index].sorted()
            return OpTiming(op: op.index, kind: Self.describe(op, in: model), macs: plan.macsPerOp[op.index],
                            milliseconds: sorted.isEmpty ? 0 : sorted[sorted.count / 2],
                            isFloat: model.tensors[op.output].type == .float32)
        }
        outside.sort()
        return OpProfile(ops: ops, outsideMilliseconds: outside[outside.count / 2])
    }

    static func describe(_ op: Operator, in model: Model) -> String {
        var text = op.kind.name
        if let (h, w) = model.windowGeometry(of: op) {
            text += " \(h.filterSize)x\(w.filterSize)/\(h.stride)"
        }
        if let input = op.input(0), model.tensors[input].shape.count == 4, model.tensors[op.output].shape.count == 4 {
            let i = model.tensors[input].shape, o = model.tensors[op.output].shape
            text += " \(i[3])->\(o[3]) @\(o[1])x\(o[2])"
        }
        return text
    }
}
