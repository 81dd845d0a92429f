import ArgumentParser
import PatchTopPlan

/// `--halo-cache none|all|auto`, shared by the commands that make a plan.
struct HaloCacheFlags: ParsableArguments {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case none, all, auto, columns, rows
    }

    @Option(help: ArgumentHelp(
        "Halo caches (stream buffers) that keep what a patch computed and its neighbour needs again, instead of recomputing it: none, all (no recompute), auto (the caches that save the most MACs while the peak stays within --sram/--board, or within the peak without caches + 25%), columns or rows (every tensor, one direction).",
        valueName: "mode"))
    var haloCache: Mode = .none

    /// The TUI's cache mode (it cycles none, auto, all with `H`).
    var tuiMode: HaloCache.Mode {
        switch haloCache {
        case .none: .none
        case .auto: .auto
        case .all, .columns, .rows: .all
        }
    }

    /// The caching for a plan, `auto` within `budget` bytes when given.
    func caching(budget: Int?) -> HaloCaching {
        switch haloCache {
        case .none: .none
        case .all: .all
        case .auto: .auto(budget: budget)
        case .columns: .only(.column)
        case .rows: .only(.row)
        }
    }
}
