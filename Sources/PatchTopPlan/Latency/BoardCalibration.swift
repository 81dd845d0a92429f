import Foundation

/// One line of the per-op table the exported library prints when profiled:
/// `PT op <index> <OP> <count>` (the harness contract; `PT op <index>
/// <count>` without the op's name is read too). On a board the count is
/// DWT cycles; under QEMU it is instructions (QEMU's DWT does not count).
public struct ProfileRow: Equatable, Sendable {
    public var index: Int
    public var op: String?
    public var count: Int

    public init(index: Int, op: String?, count: Int) {
        self.index = index
        self.op = op
        self.count = count
    }

    /// Every `PT op` line of `text`; other lines (other `PT` figures, the
    /// application's own output) are skipped. A malformed `PT op` line, a
    /// repeated op or a table without any op is refused, naming the line.
    public static func parse(_ text: String, name: String) throws(LatencyError) -> [ProfileRow] {
        var rows: [ProfileRow] = []
        var seen = Set<Int>()
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard words.count >= 2, words[0] == "PT", words[1] == "op" else { continue }
            func fail(_ why: String) -> LatencyError {
                .badProfile(reason: "\(name):\(number + 1): \(why) (expected \"PT op <index> <OP> <count>\")")
            }
            let fields = words.dropFirst(2).map(String.init)
            let indexText: String, op: String?, countText: String
            switch fields.count {
            case 3: (indexText, op, countText) = (fields[0], fields[1], fields[2])
            case 2: (indexText, op, countText) = (fields[0], nil, fields[1])
            default: throw fail("has \(fields.count) fields after \"PT op\"")
            }
            guard let index = Int(indexText), index >= 0 else { throw fail("the op index \"\(indexText)\" is not a number ≥ 0") }
            guard let count = Int(countText), count >= 0 else { throw fail("the count \"\(countText)\" is not a whole number ≥ 0") }
            if let op, op.isEmpty || !op.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                throw fail("the op name \"\(op)\" is not an op name")
            }
            guard seen.insert(index).inserted else { throw fail("op \(index) appears twice") }
            rows.append(ProfileRow(index: index, op: op, count: count))
        }
        guard !rows.isEmpty else { throw .badProfile(reason: "\(name) has no \"PT op <index> <OP> <count>\" line: was the library built with -DPT_PROFILE=1?") }
        return rows
    }
}

/// Cycles per predicted instruction on one board, per kernel class:
/// `patchtop calibrate` makes it from the DWT cycle table a profiled
/// export printed on that board, and `--calibration FILE` applies it.
public struct BoardCalibration: Codable, Equatable, Sendable {
    public struct Source: Codable, Equatable, Sendable {
        public var model: String
        public var patches: Int
        public var patchLayers: Int
        public var ops: Int
        public var cycles: Int
        public var predictedInstructions: Int
        /// Rows of ops this plan does not run as kernels (a fused-away
        /// ADD's empty step, a folded PAD): left out of the ratios.
        public var ignoredOps: Int?
    }

    public var format: Int
    /// `board-calibration`, so a calibration table is not read for one.
    public var kind: String
    public var core: CortexCore
    public var board: String?
    public var clockHz: Int?
    /// Cycles per predicted instruction, by `KernelClass` raw value.
    public var kernels: [String: Double]
    /// Over every measured op: for classes the measurement did not contain.
    public var overall: Double
    public var source: Source

    public func cyclesPerInstruction(_ kernel: KernelClass) -> Double { kernels[kernel.rawValue] ?? overall }

    /// The most cycles per predicted instruction a calibration may hold: a
    /// Cortex-M runs an instruction in about 0.5 to a few cycles (flash wait
    /// states included), so more is a wrong table, and a file's absurd value
    /// would overflow the predicted cycles.
    public static let maxCyclesPerInstruction = 1000.0

    /// The calibration the `rows` measured against `prediction` (made for
    /// the same model and plan on the same core): for each kernel class,
    /// measured cycles over predicted instructions of its ops.
    public static func fit(rows: [ProfileRow], prediction: LatencyPrediction, plan: PatchPlan, board: String?,
                           clockHz: Int?, name: String) throws(LatencyError) -> BoardCalibration {
        let predicted = Dictionary(prediction.ops.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        var cycles: [KernelClass: Int] = [:]
        var instructions: [KernelClass: Int] = [:]
        var ignored = 0
        var totalSoFar = 0
        for row in rows {
            guard row.index < plan.model.operators.count else {
                throw .badProfile(reason: "\(name): op \(row.index) is past \(plan.model.name)'s \(plan.model.operators.count) ops: was it measured on another model?")
            }
            let kind = plan.model.operators[row.index].kind.name
            if let op = row.op, op != kind {
                throw .badProfile(reason: "\(name): op \(row.index) is \(op) in the table but \(kind) in \(plan.model.name): was it measured on another model?")
            }
            guard let op = predicted[row.index] else {
                // The library brackets a fused-away ADD's empty step too.
                ignored += 1
                continue
            }
            // Counts from a file: their sums must not overflow (a trap).
            let (sum, overflow) = cycles[op.kernel, default: 0].addingReportingOverflow(row.count)
            let (total, totalOverflow) = totalSoFar.addingReportingOverflow(row.count)
            guard !overflow, !totalOverflow else {
                throw .badProfile(reason: "\(name): the counts add up past \(Int.max) cycles at op \(row.index) (\(row.count)): they are not a board's cycle counts")
            }
            cycles[op.kernel] = sum
            totalSoFar = total
            instructions[op.kernel, default: 0] += op.instructions
        }
        let totalCycles = totalSoFar
        let totalInstructions = instructions.values.reduce(0, +)
        guard totalInstructions > 0, totalCycles > 0 else {
            throw .badProfile(reason: "\(name): the measured ops add up to \(totalCycles) cycles against \(totalInstructions) predicted instructions: nothing to calibrate")
        }
        var ratios: [String: Double] = [:]
        for (kernel, count) in instructions where count > 0 {
            ratios[kernel.rawValue] = Double(cycles[kernel] ?? 0) / Double(count)
        }
        for (kernel, ratio) in ratios.sorted(by: { $0.key < $1.key }) where ratio > maxCyclesPerInstruction {
            throw .badProfile(reason: "\(name): \(kernel) measures \(ratio) cycles per predicted instruction, above \(Int(maxCyclesPerInstruction)): these are not the board's cycle counts for \(plan.model.name)")
        }
        return BoardCalibration(format: 1, kind: "board-calibration", core: prediction.core, board: board, clockHz: clockHz,
                                kernels: ratios, overall: Double(totalCycles) / Double(totalInstructions),
                                source: Source(model: plan.model.name, patches: plan.patches, patchLayers: plan.patchLayers,
                                               ops: rows.count - ignored, cycles: totalCycles, predictedInstructions: totalInstructions,
                                               ignoredOps: ignored))
    }

    /// Reads a calibration written by `patchtop calibrate`.
    public static func decode(_ data: Data, name: String) throws(LatencyError) -> BoardCalibration {
        let calibration: BoardCalibration
        do {
            calibration = try JSONDecoder().decode(BoardCalibration.self, from: data)
        } catch {
            throw .badCalibration(reason: "\(name) is not a board calibration written by `patchtop calibrate`: \(CalibrationTable.describe(error, data: data))")
        }
        guard calibration.format == 1, calibration.kind == "board-calibration" else {
            throw .badCalibration(reason: "\(name) is not a board calibration written by `patchtop calibrate` (format \(calibration.format), kind \"\(calibration.kind)\")")
        }
        for (key, value) in calibration.kernels {
            guard KernelClass(rawValue: key) != nil else { throw .badCalibration(reason: "\(name) names a kernel class \"\(key)\" this PatchTop does not know") }
            guard value.isFinite, value > 0, value <= maxCyclesPerInstruction else {
                throw .badCalibration(reason: "\(name): \(key)'s cycles per instruction \(value) is not a positive number of at most \(Int(maxCyclesPerInstruction))")
            }
        }
        guard calibration.overall.isFinite, calibration.overall > 0, calibration.overall <= maxCyclesPerInstruction else {
            throw .badCalibration(reason: "\(name): overall cycles per instruction \(calibration.overall) is not a positive number of at most \(Int(maxCyclesPerInstruction))")
        }
        if let clock = calibration.clockHz, clock <= 0 { throw .badCalibration(reason: "\(name): clockHz \(clock) is not positive") }
        return calibration
    }
}
