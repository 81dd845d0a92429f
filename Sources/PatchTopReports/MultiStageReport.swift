import PatchTopModel
import PatchTopPlan

/// The text and JSON of `patchtop sweep --multi-stage`.
public struct MultiStageReport: Sendable {
    public var search: MultiStageSearch
    public var sramBytes: Int?
    public var maxMacOverhead: Double?
    /// With `--target` (or a board with a Cortex-M core): predicted
    /// instructions of every front plan, and with a clock their time.
    public var latency: LatencySetup?
    /// Each front plan's predicted instructions (the search's when it
    /// searched on them, else the ordinary predictor's), by index in `front`.
    public private(set) var instructions: [Int]?

    public init(search: MultiStageSearch, sramBytes: Int?, maxMacOverhead: Double?, latency: LatencySetup? = nil) {
        self.search = search
        self.sramBytes = sramBytes
        self.maxMacOverhead = maxMacOverhead
        self.latency = latency?.model == nil ? nil : latency
        let model = latency?.model
        if search.isInstructionSearch || model != nil {
            instructions = search.front.map { $0.instructions ?? model?.instructions($0.plan) ?? 0 }
        }
    }

    /// The plans `best` picks from: the front, and the MAC front too when
    /// the front is on instructions (P1 is a bound on MACs).
    var candidates: [MultiStageSearch.Point] {
        guard search.isInstructionSearch else { return search.front }
        let onFront = Set(search.front.map(\.stages))
        return search.front + search.macFront.filter { !onFront.contains($0.stages) }
    }

    /// P2 with a budget (the fewest MACs, or predicted instructions, within
    /// it), P1 with a MAC overhead (smallest peak within it; both given:
    /// within both), else the smallest peak.
    public var best: MultiStageSearch.Point? {
        let candidates = candidates.filter { point in
            (sramBytes.map { point.peakBytes <= $0 } ?? true)
                && (maxMacOverhead.map { Double(point.macs) <= Double(search.model.macs) * (1 + $0) + 1e-9 } ?? true)
        }
        if sramBytes != nil { return candidates.min { ($0.cost, $0.peakBytes) < ($1.cost, $1.peakBytes) } }
        return candidates.min { ($0.peakBytes, $0.cost) < ($1.peakBytes, $1.cost) }
    }

    /// The predicted instructions of `point` (`nil` without a target).
    public func instructions(of point: MultiStageSearch.Point) -> Int? {
        point.instructions ?? latency?.model?.instructions(point.plan)
    }

    /// `, 12.3 M instructions (192 ms)`, or nothing without a target.
    private func costText(_ point: MultiStageSearch.Point) -> String {
        guard let count = instructions(of: point) else { return "" }
        return ", \(formatInstructions(count)) instructions" + (latency?.isTimed == true ? " (\(formatMilliseconds(latency!.figure(instructions: count))))" : "")
    }

    public func lines() -> [String] {
        let model = search.model
        var out = ["\(model.name): multi-stage search — \(search.cutPoints.count) cut points, \(formatCount(search.candidatesEvaluated)) candidate stages (\(formatCount(search.candidatesKept)) on their block's front) — memory: \(search.options.summary)", ""]
        let core = latency?.target ?? search.core?.displayName ?? "the target"
        if search.isInstructionSearch {
            out.append("Pareto front (peak memory vs instructions predicted on \(core); every plan rebuilt, its peak, MACs and instructions checked):")
        } else {
            out.append("Pareto front (peak memory vs MACs; every plan rebuilt and its peak and MACs checked):")
        }
        let timed = latency?.isTimed == true
        out.append("        peak  MAC factor   overhead" + (instructions != nil ? "  instructions" : "") + (timed ? "        ms" : "") + "  stages")
        for (index, point) in search.front.enumerated() {
            let factor = Double(point.macs) / Double(max(model.macs, 1))
            let count = instructions?[index]
            out.append(pad("\(formatCount(point.peakBytes)) B", 12) + pad("×\(formatFixed(factor, decimals: 3))", 12)
                       + pad(formatPercentChange(point.plan.macOverhead), 11)
                       + (count.map { pad(formatInstructions($0), 14) } ?? "")
                       + (timed ? pad(count.map { formatMilliseconds(latency!.figure(instructions: $0)) } ?? "–", 10) : "") + "  "
                       + (point.stages.isEmpty ? "layer by layer" : PlanReport.stagesText(point.plan))
                       + (point.verified ? "" : "  [built plan: \(formatCount(point.plan.peakBytes)) B, \(formatMACs(point.plan.macs))"
                          + (point.planInstructions.map { ", \(formatInstructions($0)) instructions" } ?? "") + "]"))
        }
        if timed, let latency { out.append("(ms: \(latency.target), instructions at one per cycle)") }
        out.append("")
        let asked = [sramBytes.map { "within \(formatBytes($0)) SRAM" }, maxMacOverhead.map { "MACs within \(formatPercentChange($0))" }].compactMap { $0 }
        if let best {
            let what = sramBytes != nil ? (search.isInstructionSearch ? "fewest instructions" : "fewest MACs") : "smallest peak"
            out.append("\(what)\(asked.isEmpty ? "" : " " + asked.joined(separator: ", ")): \(formatCount(best.peakBytes)) B at \(formatPercentChange(best.plan.macOverhead)) MACs\(costText(best)) — \(best.stages.isEmpty ? "layer by layer" : PlanReport.stagesText(best.plan))")
        } else {
            out.append("no plan \(asked.joined(separator: ", ")); the smallest peak reachable is \(search.front.first.map { "\(formatCount($0.peakBytes)) B" } ?? "-")")
        }
        return out
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// `patchtop sweep --multi-stage --json`: the front's plans (each with
/// `stages`, readable back with `--plan`), and the best one.
public struct MultiStageJSON: Codable, Equatable, Sendable {
    public var model: String
    public var cutPoints: [Int]
    public var candidatesEvaluated: Int
    public var candidatesKept: Int
    /// The Pareto front, by ascending peak.
    public var plans: [PlanJSON]
    public var paretoFront: [PlanJSON]
    public var best: PlanJSON?
    public var sramBytes: Int?
    public var maxMacOverhead: Double?
    public var fits: Bool
    /// What the front and `best` minimise beside peak: `macs` or `instructions`.
    public var cost: String
    /// With `--target` (or a board's core): the core the plans'
    /// `instructions` are predicted for, and the clock of their `latency`.
    public var target: String?
    public var clockHz: Int?

    public init(_ report: MultiStageReport) {
        model = report.search.model.name
        cutPoints = report.search.cutPoints
        candidatesEvaluated = report.search.candidatesEvaluated
        candidatesKept = report.search.candidatesKept
        func json(_ point: MultiStageSearch.Point) -> PlanJSON {
            var plan = PlanJSON(point.plan, includeRegions: false)
            plan.instructions = report.instructions(of: point)
            // With a clock: the time, as `plan --json` gives it (no per-op table).
            if report.latency?.isTimed == true { plan.latency = report.latency?.json(point.plan, includeOps: false) }
            return plan
        }
        plans = report.search.front.map(json)
        paretoFront = plans
        best = report.best.map(json)
        cost = report.search.isInstructionSearch ? "instructions" : "macs"
        target = (report.latency?.core ?? report.search.core)?.rawValue
        clockHz = report.latency?.clockHz
        sramBytes = report.sramBytes
        maxMacOverhead = report.maxMacOverhead
        fits = report.best != nil
    }
}
