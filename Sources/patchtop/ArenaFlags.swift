import ArgumentParser
import PatchTopRuntime

/// `--max-arena SIZE`: the largest arena a run may allocate (default 1 GiB),
/// for every command that runs the model (`run`, `report --run`, `bench`,
/// `tui`). A larger plan is refused, naming its size, before any memory is
/// allocated.
struct ArenaFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Largest activation arena a run may allocate: bytes, or with a KiB/MiB/GiB suffix.", valueName: "size"))
    var maxArena = ByteSize(bytes: ArenaProgram.defaultArenaLimit)

    func validate() throws {
        guard maxArena.bytes > 0 else { throw ValidationError("--max-arena must be above 0 bytes") }
    }
}
