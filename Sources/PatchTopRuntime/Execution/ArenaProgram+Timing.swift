import PatchTopModel

/// Inference time with the measurement kept out of it: `bench` and
/// `run --repeats` report these.
public struct InferenceTiming: Equatable, Sendable {
    /// Median wall time of one inference, in milliseconds: the input copied
    /// in and every step run on one session restarted each time (no arena
    /// allocated or painted, no constants copied, no high-water scan).
    public var milliseconds: Double
    /// Inferences timed.
    public var runs: Int
    /// A separate painted run (`ArenaProgram.run`), untimed: the outputs and
    /// the measured arena.
    public var painted: ArenaRunResult
}

extension ArenaProgram {
    /// One painted run for the outputs and the measured arena, then `runs`
    /// timed inferences on one session restarted each time (after
    /// `warmup` untimed ones on it).
    public func timeInference(input: [Int8], runs: Int, warmup: Int = 1) throws(RuntimeError) -> InferenceTiming {
        guard let painted = try run(input: input) else { throw .notFinished }
        let session = try ArenaSession(program: self, input: input)
        for _ in 0..<max(0, warmup) {
            try session.restart(input: input)
            _ = try session.finish()
        }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(max(1, runs))
        for _ in 0..<max(1, runs) {
            let start = clock.now
            try session.restart(input: input)
            _ = try session.finish()
            samples.append(Self.milliseconds(clock.now - start))
        }
        samples.sort()
        return InferenceTiming(milliseconds: samples[samples.count / 2], runs: samples.count, painted: painted)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
