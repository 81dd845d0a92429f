import PatchTopModel
import PatchTopPlan

/// Instructions in millions with one decimal (`34.8 M`), or the count
/// below 100,000.
public func formatInstructions(_ count: Int) -> String { formatMACs(count) }

/// A time in milliseconds: `192 ms`, `12.4 ms`, `0.85 ms`.
public func formatMilliseconds(_ ms: Double) -> String {
    guard ms.isFinite else { return "–" }
    return ms >= 100 ? "\(formatFixed(ms, decimals: 0)) ms" : ms >= 1 ? "\(formatFixed(ms, decimals: 1)) ms" : "\(formatFixed(ms, decimals: 2)) ms"
}

/// A clock as boards quote it: `216 MHz`.
public func formatClock(_ hz: Int) -> String {
    hz % 1_000_000 == 0 ? "\(hz / 1_000_000) MHz" : "\(formatFixed(Double(hz) / 1e6, decimals: 2)) MHz"
}

/// Parses `216MHz`, `216 MHz`, `64000000`, `64000kHz`, `1.2GHz`: hertz,
/// or `nil` for anything else (zero, negative, not a number).
public func parseClock(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    let number = trimmed.prefix { $0.isNumber || $0 == "." }
    guard !number.isEmpty, number.count <= 15, let value = Double(number), value.isFinite, value > 0 else { return nil }
    let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
    let scale: Double
    switch unit {
    case "", "hz": scale = 1
    case "k", "khz": scale = 1e3
    case "m", "mhz": scale = 1e6
    case "g", "ghz": scale = 1e9
    default: return nil
    }
    let hz = (value * scale).rounded()
    guard hz >= 1, hz <= 1e12 else { return nil }
    return Int(hz)
}

/// The text of a plan's predicted instructions and time.
public struct LatencyReport: Sendable {
    public var prediction: LatencyPrediction
    /// The board the clock is from, if one was named.
    public var board: String?

    public init(prediction: LatencyPrediction, board: String? = nil) {
        self.prediction = prediction
        self.board = board
    }

    /// `12.3 M instructions on Cortex-M4 — 192 ms at 64 MHz (nRF52840; instructions at one per cycle, not measured cycles)`
    public var headline: String {
        let p = prediction
        var text = "\(formatInstructions(p.instructions)) instructions predicted on \(p.core.displayName)"
        if let cycles = p.cycles { text += ", \(formatInstructions(cycles)) cycles" }
        if let ms = p.milliseconds, let clock = p.clockHz {
            text += " — \(formatMilliseconds(ms)) at \(formatClock(clock)) (\(board.map { "\($0); " } ?? "")\(p.timeBasis))"
        }
        return text
    }

    /// The summary line, in the plan summary's column layout.
    public func summaryLines() -> [String] {
        var out = ["instructions    \(headline)"]
        if !prediction.uncalibrated.isEmpty {
            out.append("                (not measured on \(prediction.core.rawValue): \(prediction.uncalibrated.map(\.rawValue).joined(separator: ", ")); predicted from the fallback coefficients)")
        }
        return out
    }

    /// The per-op table.
    public func opLines() -> [String] {
        let p = prediction
        let timed = p.clockHz != nil
        var out = ["predicted instructions per op (\(p.core.rawValue)\(p.isCycleCalibrated ? ", cycles from the board calibration" : "")):"]
        out.append(" #  op                 kernel path        steps      MACs  instructions  per MAC" + (p.isCycleCalibrated ? "      cycles" : "") + (timed ? "        time" : ""))
        for op in p.ops {
            var row = [pad("\(op.index)", 2, right: true), pad(op.op, 17), pad(op.kernel.rawValue, 17),
                       pad("\(op.steps)", 6, right: true), pad(formatMACs(op.macs), 9, right: true),
                       pad(formatCount(op.instructions), 12, right: true),
                       pad(op.macs > 0 ? formatFixed(Double(op.instructions) / Double(op.macs), decimals: 2) : "-", 7, right: true)]
            if let cycles = op.cycles { row.append(pad(formatCount(cycles), 10, right: true)) }
            if let ms = p.milliseconds(of: op) { row.append(pad(formatMilliseconds(ms), 10, right: true)) }
            out.append(row.joined(separator: "  "))
        }
        out.append("    (invoke and its copies: \(formatCount(p.invokeInstructions)) instructions)")
        return out
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

/// The `latency` object of `plan`, `analyze` (and, without `ops`, each
/// plan of `sweep`) with `--target`. Field names are an interface.
public struct LatencyJSON: Codable, Equatable, Sendable {
    public struct Op: Codable, Equatable, Sendable {
        public var index: Int
        public var op: String
        public var kernel: String
        public var steps: Int
        public var macs: Int
        public var instructions: Int
        public var cycles: Int?
        public var milliseconds: Double?
    }

    /// `cortex-m4`, …
    public var target: String
    /// Predicted instructions for one inference.
    public var instructions: Int
    public var invokeInstructions: Int
    /// With `--calibration`: predicted cycles.
    public var cycles: Int?
    public var clockHz: Int?
    public var board: String?
    public var milliseconds: Double?
    /// What `milliseconds` assumes.
    public var timeBasis: String?
    /// Kernel classes without measurements on this core.
    public var uncalibrated: [String]
    public var ops: [Op]?

    public init(_ prediction: LatencyPrediction, board: String?, includeOps: Bool) {
        target = prediction.core.rawValue
        instructions = prediction.instructions
        invokeInstructions = prediction.invokeInstructions
        cycles = prediction.cycles
        clockHz = prediction.clockHz
        self.board = board
        milliseconds = prediction.milliseconds
        timeBasis = prediction.clockHz == nil ? nil : prediction.timeBasis
        uncalibrated = prediction.uncalibrated.map(\.rawValue)
        ops = includeOps ? prediction.ops.map {
            Op(index: $0.index, op: $0.op, kernel: $0.kernel.rawValue, steps: $0.steps, macs: $0.macs,
               instructions: $0.instructions, cycles: $0.cycles, milliseconds: prediction.milliseconds(of: $0))
        } : nil
    }
}

/// One op's cost features (`plan --json --cost-features`): what
/// `Scripts/calibrate_latency.py` fits the coefficients on.
public struct CostFeaturesJSON: Codable, Equatable, Sendable {
    public var index: Int
    public var op: String
    public var kernel: String
    public var kernelFeatures: [String: Double]
    public var movementFeatures: [String: Double]

    public init(_ f: OpCostFeatures, model: Model) {
        index = f.op
        op = model.operators[f.op].kind.name
        kernel = f.kernel.rawValue
        kernelFeatures = Dictionary(uniqueKeysWithValues: KernelFeature.allCases.map { ($0.rawValue, f.value($0)) })
        movementFeatures = Dictionary(uniqueKeysWithValues: MovementFeature.allCases.map { ($0.rawValue, f.value($0)) })
    }

    /// The features of every op of `plan` that runs.
    public static func list(_ plan: PatchPlan) -> [CostFeaturesJSON] {
        plan.costFeatures().filter(\.runs).map { CostFeaturesJSON($0, model: plan.model) }
    }
}
