import ArgumentParser
import PatchTopPlan

/// `--sram SIZE` or `--board NAME`: the SRAM budget line of the memory
/// chart, shared by `tui` and `report` so both accept the same names.
struct BudgetFlags: ParsableArguments {
    @Option(help: ArgumentHelp("SRAM budget for activations: bytes, or with a KiB/MiB suffix (e.g. 256KiB).", valueName: "size"))
    var sram: ByteSize?

    @Option(help: ArgumentHelp("Board preset for the SRAM budget line: \(SRAMBudget.boards.map { "\($0.name) (\($0.bytes / 1024) KiB)" }.joined(separator: ", ")).", valueName: "name"))
    var board: SRAMBudget?

    func validate() throws {
        if sram != nil, board != nil { throw ValidationError("use --sram or --board, not both") }
    }

    /// The budget asked for, if any.
    var budget: SRAMBudget? {
        board ?? sram.map { SRAMBudget(name: "SRAM", bytes: $0.bytes) }
    }
}
