import ArgumentParser
import PatchTopPlan
import PatchTopReports
import PatchTopRuntime
import PatchTopUI

/// A size on the command line: `327680`, `320KiB`, `320K`, `1MiB`
/// (`--sram`, `--max-arena`). A value that is not one is a usage error the
/// parser reports with the option's name.
struct ByteSize: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        guard let bytes = parseByteSize(argument) else { return nil }
        self.bytes = bytes
    }

    var description: String {
        bytes % (1 << 30) == 0 && bytes > 0 ? "\(bytes >> 30)GiB"
            : bytes % (1 << 20) == 0 && bytes > 0 ? "\(bytes >> 20)MiB"
            : bytes % 1024 == 0 && bytes > 0 ? "\(bytes >> 10)KiB" : "\(bytes)"
    }

    var defaultValueDescription: String { description }
}

/// `-p 4` (4×4) or `-p 4x2` (4 rows × 2 columns of tiles).
extension TileGrid: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String { isSquare ? "\(rows)" : "\(rows)x\(cols)" }
}

/// `--board NAME`: one of the presets, matched without case.
extension SRAMBudget: ExpressibleByArgument {
    public init?(argument: String) {
        guard let board = SRAMBudget.board(named: argument) else { return nil }
        self = board
    }

    public static var allValueStrings: [String] { boards.map(\.name) }
}

/// `--view layers|memory|grid|all`.
extension ReportRenderer.View: ExpressibleByArgument {}
