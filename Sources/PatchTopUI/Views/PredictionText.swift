import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The plan's predicted time (or instructions) as the title line says it,
/// longest first, every variant stating what the figure assumes.
public enum PredictionText {
    public static func variants(_ state: AppState) -> [String] {
        guard let p = state.prediction, let setup = state.latency else {
            guard let note = state.latency?.note else { return [] }
            return [note, "no time prediction for this board", "no time prediction"]
        }
        let instructions = formatInstructions(p.instructions)
        let core = p.core.displayName, short = core.replacingOccurrences(of: "Cortex-", with: "")
        if let ms = p.milliseconds, let clock = p.clockHz {
            let time = formatMilliseconds(ms)
            let board = setup.board.map { " (\($0))" } ?? ""
            let basis = p.isCycleCalibrated ? "calibrated cycles" : "1 instr/cycle"
            return [
                "predicted \(time) on \(core) at \(formatClock(clock))\(board): \(instructions) instructions, \(p.timeBasis)",
                "predicted \(time) on \(core) at \(formatClock(clock))\(board), \(p.timeBasis)",
                "≈\(time) on \(short) at \(formatClock(clock)) (\(instructions) instr at \(basis))",
                "≈\(time) \(short)@\(formatClock(clock).replacingOccurrences(of: " ", with: "")) (\(basis))",
                "≈\(time) (\(basis))",
            ]
        }
        return [
            "predicted \(instructions) instructions on \(core) (a --clock or a board gives time)",
            "predicted \(instructions) instructions on \(core)",
            "≈\(instructions) instr on \(short)",
        ]
    }

    /// The title line: the model and its memory rules, and the prediction
    /// where there is one, each shortened until the line fits.
    public static func title(_ state: AppState, name: String, stepping: Bool, width: Int) -> String {
        let names = [
            "PatchTop — \(name) — \(stepping ? "STEP MODE — " : "")\(state.options.summary)",
            "PatchTop — \(name)\(stepping ? " — STEP MODE" : "")",
        ]
        let predictions = variants(state)
        var candidates: [String] = []
        for prediction in predictions {
            for name in names { candidates.append("\(name) — \(prediction)") }
        }
        // Without room for any prediction, the name alone.
        return TextFit.first(candidates + names, width: width)
    }
}
