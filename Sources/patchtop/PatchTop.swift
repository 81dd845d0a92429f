import ArgumentParser

/// The `patchtop` command: argument parsing and wiring only; every piece of
/// logic lives in the library targets.
struct PatchTop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patchtop",
        abstract: "Profile and visualize patch-based inference of int8 CNNs for microcontrollers.",
        version: patchTopVersion,
        subcommands: [TUI.self, Analyze.self, Plan.self, SweepCommand.self, Run.self, Bench.self, ReportCommand.self, Export.self, Calibrate.self],
        defaultSubcommand: TUI.self
    )
}

/// What `patchtop --version` prints.
let patchTopVersion = "0.1.0-dev"

/// The model a command works on when none is named.
let defaultModelPath = "SampleModels/mbv2-w0.35-r144.tflite"
