import PatchTopModel
import PatchTopPlan

/// What to predict a plan's instructions (and time) with, or a note saying
/// why there is no prediction: what `--target`, `--clock`,
/// `--calibration` and a board with a core resolve to. `plan`, `sweep`,
/// `analyze`, `report` and the TUI share it.
public struct LatencySetup: Equatable, Sendable {
    public var model: CostModel?
    public var calibration: BoardCalibration?
    public var clockHz: Int?
    /// The board the clock is from, if one was named.
    public var board: String?
    public var note: String?

    public init(model: CostModel, calibration: BoardCalibration?, clockHz: Int?, board: String?) {
        self.model = model
        self.calibration = calibration
        self.clockHz = clockHz
        self.board = board
    }

    public init(note: String) { self.note = note }

    /// The core predicted for, if any.
    public var core: CortexCore? { model?.core }

    /// Whether figures are times (a clock is known) rather than instructions.
    public var isTimed: Bool { model != nil && (clockHz ?? 0) > 0 }

    /// The setup for a board picked in the TUI (`b`) when nothing was set
    /// explicitly: the board's core and clock from `table`, or a note
    /// (a board without a supported core, a core the table lacks).
    /// With an explicit `target`, `clockHz` or `calibration` those win;
    /// the board's clock is used only when its core is the target's.
    public static func resolve(table: CalibrationTable, target: CortexCore?, clockHz: Int?, calibration: BoardCalibration?,
                               board: SRAMBudget?) -> LatencySetup? {
        let explicit = target ?? calibration?.core
        guard let core = explicit ?? board?.cortex else {
            if let board, let message = board.unsupportedCoreMessage { return LatencySetup(note: message) }
            return nil
        }
        let model: CostModel
        do { model = try table.model(for: core) } catch {
            return LatencySetup(note: (explicit == nil ? board.map { "\($0.name): " } ?? "" : "") + error.description)
        }
        let boardClock = board?.cortex == core ? board?.clockHz : nil
        let hz = clockHz ?? calibration?.clockHz ?? boardClock
        let boardName = clockHz == nil && calibration?.clockHz == nil && boardClock != nil ? board?.name : calibration?.board
        return LatencySetup(model: model, calibration: calibration, clockHz: hz, board: boardName)
    }

    public func predict(_ plan: PatchPlan) -> LatencyPrediction? {
        model?.predict(plan, calibration: calibration, clockHz: clockHz)
    }

    /// The summary line(s) and the per-op table, or the note.
    public func lines(_ plan: PatchPlan, perOp: Bool) -> [String] {
        guard let prediction = predict(plan) else { return note.map { ["instructions    \($0)"] } ?? [] }
        let report = LatencyReport(prediction: prediction, board: board)
        return report.summaryLines() + (perOp ? [""] + report.opLines() : [])
    }

    public func json(_ plan: PatchPlan, includeOps: Bool) -> LatencyJSON? {
        predict(plan).map { LatencyJSON($0, board: board, includeOps: includeOps) }
    }

    /// Instructions (or, with a clock, milliseconds) of `instructions`
    /// predicted instructions, for axes and columns: at one instruction
    /// per cycle (a board calibration's cycles are per op, not per sweep point).
    public func figure(instructions: Int) -> Double {
        guard let clockHz, clockHz > 0 else { return Double(instructions) }
        return Double(instructions) / Double(clockHz) * 1000
    }

    /// `ms` or `instructions`: what `figure` counts.
    public var unit: String { isTimed ? "ms" : "instructions" }

    /// `Cortex-M4 at 64 MHz (nRF52840)`, `Cortex-M7`.
    public var target: String {
        guard let core else { return "" }
        var text = core.displayName
        if let clockHz, clockHz > 0 { text += " at \(formatClock(clockHz))" + (board.map { " (\($0))" } ?? "") }
        return text
    }
}
