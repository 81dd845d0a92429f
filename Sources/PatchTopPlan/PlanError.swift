import PatchTopModel

/// Why a (p, n) pair cannot be planned; the message says which op or
/// tensor is in the way, e.g. `n=40 crosses MEAN at op 39`.
public enum PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    case patchesOutOfRange(patches: Int, limit: Int)
    case patchLayersOutOfRange(patchLayers: Int, opCount: Int)
    /// An op inside the stage mixes all spatial positions or is unknown.
    case crossesGlobalOp(patchLayers: Int, op: Int, name: String)
    /// The stage's outputs do not share one height × width, or are not 4-D.
    case mismatchedOutputs(patchLayers: Int, reason: String)
    /// A rectangular grid with more tiles on a side than the stage output has positions.
    case gridOutOfRange(grid: TileGrid, height: Int, width: Int)
    /// One stage of a list of stages does not fit the model.
    case invalidStage(index: Int, firstOp: Int, lastOp: Int, reason: String)

    public var description: String {
        switch self {
        case .patchesOutOfRange(let p, let limit):
            "p=\(p) is out of range: the stage output allows 1…\(limit) patches per side"
        case .patchLayersOutOfRange(let n, let count):
            "n=\(n) is out of range: the model has \(count) ops"
        case .crossesGlobalOp(let n, let op, let name):
            "n=\(n) crosses \(name) at op \(op), which cannot be computed patch by patch"
        case .mismatchedOutputs(let n, let reason):
            "n=\(n) ends the stage where \(reason)"
        case .gridOutOfRange(let grid, let height, let width):
            "-p \(grid.rows)x\(grid.cols) is out of range: the stage output is \(height)×\(width), so at most \(height) rows and \(width) columns of tiles"
        case .invalidStage(let index, let first, let last, let reason):
            "stage \(index) (ops \(first)…\(last)): \(reason)"
        }
    }
}
