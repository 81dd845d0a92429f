import ArgumentParser
import Foundation
import PatchTopPlan
import PatchTopReports

/// `--target`, `--clock` and `--calibration`: predicted instructions (and
/// time) of the plan's exported C library, shared by `analyze`, `plan` and
/// `sweep`.
struct LatencyFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Predict instructions of the firmware export on this core: \(CortexCore.names).", valueName: "core"))
    var target: CortexCore?

    @Option(help: ArgumentHelp("The core's clock, for time in ms (e.g. 216MHz): instructions at one per cycle unless --calibration gives measured cycles.", valueName: "rate"))
    var clock: ClockRate?

    @Option(help: ArgumentHelp("A board calibration written by `patchtop calibrate` (cycles per instruction measured with the DWT counter).", valueName: "file"))
    var calibration: String?

    /// Another instruction table than the committed one (what
    /// `Scripts/calibrate_latency.py` writes), for trying a fit.
    @Option(help: .hidden)
    var costTable: String?

    /// The prediction asked for: `nil` when none (no target, no board with
    /// a supported core). A board's core is used quietly: a board whose core
    /// is not calibrated gives a note instead of failing the command.
    func resolve(board: SRAMBudget? = nil) throws -> LatencySetup? {
        var calibrationValue: BoardCalibration?
        if let calibration {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: calibration)) } catch {
                throw CommandFailure("\(calibration): cannot be read (\(error.localizedDescription))")
            }
            do { calibrationValue = try BoardCalibration.decode(data, name: calibration) } catch { throw CommandFailure(error.description) }
        }
        let explicit = target ?? calibrationValue?.core
        if let target, let calibrationValue, calibrationValue.core != target {
            throw CommandFailure("\(calibration ?? "--calibration") was measured on \(calibrationValue.core.rawValue), not --target \(target.rawValue)")
        }
        guard let core = explicit ?? board?.cortex else {
            if let board, let message = board.unsupportedCoreMessage {
                if clock != nil { throw CommandFailure(message) }
                return LatencySetup(note: message)
            }
            if clock != nil { throw CommandFailure("--clock needs --target (\(CortexCore.names)) or a --board with a Cortex-M core") }
            return nil
        }
        let model: CostModel
        let table = try costTableValue()
        do {
            model = try table.model(for: core)
        } catch {
            if explicit == nil, let board { return LatencySetup(note: "\(board.name): \(error.description)") }
            throw CommandFailure(error.description)
        }
        let boardClock = board?.cortex == core ? board?.clockHz : nil
        let clockHz = clock?.hz ?? calibrationValue?.clockHz ?? boardClock
        let boardName = clock == nil && calibrationValue?.clockHz == nil && boardClock != nil ? board?.name : calibrationValue?.board
        return LatencySetup(model: model, calibration: calibrationValue, clockHz: clockHz, board: boardName)
    }
}

extension LatencyFlags {
    func costTableValue() throws -> CalibrationTable { try loadCostTable(costTable) }

    /// The TUI's setup for `board` (checked as `plan` checks it), and how
    /// it follows the boards `b` picks: the board's core and clock unless
    /// `--target`, `--clock` or `--calibration` fixed them.
    func tuiSetup(board: SRAMBudget?) throws -> (setup: LatencySetup?, follow: @Sendable (SRAMBudget?) -> LatencySetup?) {
        let setup = try resolve(board: board)
        let table = try costTableValue()
        var calibrationValue: BoardCalibration?
        if let calibration {
            let data = try Data(contentsOf: URL(fileURLWithPath: calibration))
            calibrationValue = try BoardCalibration.decode(data, name: calibration)
        }
        let target = target, hz = clock?.hz, fixed = calibrationValue
        return (setup, { board in LatencySetup.resolve(table: table, target: target, clockHz: hz, calibration: fixed, board: board) })
    }
}

/// The committed instruction table, or the one at `path`.
func loadCostTable(_ path: String?) throws -> CalibrationTable {
    guard let costTable = path else {
        do { return try CalibrationTable.bundled() } catch { throw CommandFailure(error.description) }
    }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: costTable)) } catch {
        throw CommandFailure("\(costTable): cannot be read (\(error.localizedDescription))")
    }
    do { return try CalibrationTable.decode(data, name: costTable) } catch { throw CommandFailure(error.description) }
}

/// `--clock 216MHz`.
struct ClockRate: ExpressibleByArgument {
    var hz: Int
    init?(argument: String) {
        guard let hz = parseClock(argument) else { return nil }
        self.hz = hz
    }
}

/// `--target cortex-m4`.
extension CortexCore: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
