import ArgumentParser
import PatchTopUI

/// `--sram SIZE` or `--board NAME`: the SRAM budget line of the memory
/// chart, shared by `tui` and `report` so both accept the same names.
struct BudgetFlags: ParsableArguments {
    @Option(help: "SRAM budget for activations: bytes, or with a KiB/MiB suffix (e.g. 256KiB).")
    var sram: String?

    @Option(help: ArgumentHelp("Board preset for the SRAM budget line: \(SRAMBudget.boards.map { "\($0.name) (\($0.bytes / 1024) KiB)" }.joined(separator: ", ")).", valueName: "name"))
    var board: String?

    /// The budget asked for, or exits 1 with one line naming the bad value.
    func budget() -> SRAMBudget? {
        if sram != nil, board != nil { fail("use --sram or --board, not both") }
        if let board {
            guard let preset = SRAMBudget.board(named: board) else { fail(SRAMBudget.unknownBoardMessage(board)) }
            return preset
        }
        if let sram {
            guard let bytes = parseByteSize(sram) else { fail("--sram \"\(sram)\" is not a size (try 320KiB or 327680)") }
            return SRAMBudget(name: "SRAM", bytes: bytes)
        }
        return nil
    }
}
