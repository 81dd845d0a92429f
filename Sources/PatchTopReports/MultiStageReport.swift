import PatchTopModel
import PatchTopPlan

/// The text and JSON of `patchtop sweep --multi-stage`.
public struct MultiStageReport: Sendable {
    public var search: MultiStageSearch
    public var sramBytes: Int?
    public var maxMacOverhead: Double?

    public init(search: MultiStageSearch, sramBytes: Int?, maxMacOverhead: Double?) {
        self.search = search
        self.sramBytes = sramBytes
        self.maxMacOverhead = maxMacOverhead
    }

    /// P2 with a budget (fewest MACs within it), P1 with a MAC overhead
    /// (smallest peak within it; both given: within both), else the
    /// smallest peak.
    public var best: MultiStageSearch.Point? {
        let candidates = search.front.filter { point in
            (sramBytes.map { point.peakBytes <= $0 } ?? true)
                && (maxMacOverhead.map { Double(point.macs) <= Double(search.model.macs) * (1 + $0) + 1e-9 } ?? true)
        }
        if sramBytes != nil { return candidates.min { ($0.macs, $0.peakBytes) < ($1.macs, $1.peakBytes) } }
        return candidates.min { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }
    }

    public func lines() -> [String] {
        let model = search.model
        var out = ["\(model.name): multi-stage search — \(search.cutPoints.count) cut points, \(formatCount(search.candidatesEvaluated)) candidate stages (\(formatCount(search.candidatesKept)) on their block's front) — memory: \(search.options.summary)", ""]
        out.append("Pareto front (peak memory vs MACs; every plan rebuilt and its peak and MACs checked):")
        out.append("        peak  MAC factor   overhead  stages")
        for point in search.front {
            let factor = Double(point.macs) / Double(max(model.macs, 1))
            out.append(pad("\(formatCount(point.peakBytes)) B", 12) + pad("×\(formatFixed(factor, decimals: 3))", 12)
                       + pad(formatPercentChange(point.plan.macOverhead), 11) + "  "
                       + (point.stages.isEmpty ? "layer by layer" : PlanReport.stagesText(point.plan))
                       + (point.verified ? "" : "  [built plan: \(formatCount(point.plan.peakBytes)) B, \(formatMACs(point.plan.macs))]"))
        }
        out.append("")
        let asked = [sramBytes.map { "within \(formatBytes($0)) SRAM" }, maxMacOverhead.map { "MACs within \(formatPercentChange($0))" }].compactMap { $0 }
        if let best {
            let what = sramBytes != nil ? "fewest MACs" : "smallest peak"
            out.append("\(what)\(asked.isEmpty ? "" : " " + asked.joined(separator: ", ")): \(formatCount(best.peakBytes)) B at \(formatPercentChange(best.plan.macOverhead)) MACs — \(best.stages.isEmpty ? "layer by layer" : PlanReport.stagesText(best.plan))")
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

    public init(_ report: MultiStageReport) {
        model = report.search.model.name
        cutPoints = report.search.cutPoints
        candidatesEvaluated = report.search.candidatesEvaluated
        candidatesKept = report.search.candidatesKept
        plans = report.search.front.map { PlanJSON($0.plan, includeRegions: false) }
        paretoFront = plans
        best = report.best.map { PlanJSON($0.plan, includeRegions: false) }
        sramBytes = report.sramBytes
        maxMacOverhead = report.maxMacOverhead
        fits = report.best != nil
    }
}
