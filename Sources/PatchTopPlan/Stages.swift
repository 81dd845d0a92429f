import PatchTopModel

/// A grid of `rows × cols` tiles over a fused stage's output: `4×4` is
/// MCUNetV2's p=4, `4×1` cuts strips of rows, `1×4` strips of columns.
public struct TileGrid: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rows: Int
    public var cols: Int

    public init(rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
    }

    /// The square grid of `p` patches per side.
    public init(_ p: Int) { self.init(rows: p, cols: p) }

    /// `4`, `4x2`, `4×2` (rows × cols); `nil` for anything else.
    public init?(parsing text: String) {
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "x" || $0 == "X" || $0 == "×" }
        guard (1...2).contains(parts.count), let rows = Int(parts[0]), let cols = Int(parts[parts.count - 1]) else { return nil }
        self.init(rows: rows, cols: cols)
    }

    public var count: Int { rows * cols }
    public var isSquare: Bool { rows == cols }
    /// One tile: layer by layer.
    public var isSingle: Bool { rows == 1 && cols == 1 }
    /// `4×2`.
    public var description: String { "\(rows)×\(cols)" }

    public static func < (a: TileGrid, b: TileGrid) -> Bool { (a.rows, a.cols) < (b.rows, b.cols) }
}

/// A fused stage asked for: ops `firstOp...lastOp` run tile by tile over
/// `grid`, with `caching` (`nil`: the plan's choice). Ops outside every
/// requested stage run layer by layer.
public struct StageSpec: Hashable, Sendable, CustomStringConvertible {
    public var firstOp: Int
    public var lastOp: Int
    public var grid: TileGrid
    public var caching: HaloCaching?
    /// Exactly these caches (as a plan file lists them), instead of `caching`.
    public var caches: Set<HaloCache>?

    public init(firstOp: Int, lastOp: Int, grid: TileGrid, caching: HaloCaching? = nil, caches: Set<HaloCache>? = nil) {
        self.firstOp = firstOp
        self.lastOp = lastOp
        self.grid = grid
        self.caching = caching
        self.caches = caches
    }

    /// `ops 3…9, 4×2`.
    public var description: String { "ops \(firstOp)…\(lastOp), \(grid)" }
}

/// One stage of a plan as a list of stages covers the op list: a fused
/// block (`fused` set, grid of more than one tile) or ops run layer by
/// layer (grid 1×1).
public struct PlanStage: Equatable, Sendable {
    public var firstOp: Int
    public var lastOp: Int
    public var grid: TileGrid
    /// Index into `plan.fusedStages`, for a fused block.
    public var fused: Int?
    public var ops: ClosedRange<Int> { firstOp...lastOp }
}

/// One fused block of a plan: consecutive ops run tile by tile over their
/// own grid, every tensor of the block computed only over the region its
/// tile needs (walked back op by op), the block's inputs read whole, its
/// outputs (the tensors read after it) held whole and filled tile by tile.
public struct FusedStage: Sendable {
    public let firstOp: Int
    public let lastOp: Int
    public let grid: TileGrid
    /// Tensors the block writes that are read after it (or are graph
    /// outputs): held whole while it runs.
    public let outputs: [Int]
    /// Height and width of its outputs, the map cut into tiles.
    public let outputGrid: (height: Int, width: Int)
    /// The tiles on the output map, row-major.
    public let tileRegions: [Region]
    /// For each tile: the region of every tensor of the block it computes
    /// or reads (empty in the search's stages, which never materialize it).
    public private(set) var tensorRegions: [[Int: Region]] = []
    /// For each tile and op of the block (`op - firstOp`): the output region it computes.
    public private(set) var opRegions: [[Region]] = []
    /// For each tile and op: the part of `opRegions` the op really computes
    /// (less where halo caches hold the rest).
    public internal(set) var computedRegions: [[Region]] = []
    /// Every op maps rows and columns independently, so a tile's regions
    /// are its tile row's rows × its tile column's columns. The walk of
    /// each tile row over the full width (its `rows` count) and of each
    /// tile column over the full height (its `cols`).
    let rowWalks: [Walk]
    let colWalks: [Walk]
    /// Computed rows of each op per tile row, columns per tile column.
    var rowComputed: [[Range<Int>]]
    var colComputed: [[Range<Int>]]
    let materialized: Bool

    struct Walk: Sendable {
        var need: [Int: Region]
        var ops: [Region]
    }

    /// How its caches were asked for, and those in use with their bytes.
    public internal(set) var caching: HaloCaching
    /// Caches asked for by name (a plan file), instead of `caching`.
    public internal(set) var explicitCaches: Set<HaloCache>?
    public internal(set) var cacheBytes: [HaloCache: Int] = [:]
    /// Geometry of the block's tensors caches can serve.
    let bands: [Int: TensorBands]
    let buffers: StageBuffers

    public var ops: ClosedRange<Int> { firstOp...lastOp }
    public func contains(op: Int) -> Bool { op >= firstOp && op <= lastOp }
    /// Tile `index`'s row and column in the grid.
    public func position(ofTile index: Int) -> (row: Int, col: Int) { (index / grid.cols, index % grid.cols) }
    /// The op's computed region in `tile`.
    public func computed(tile: Int, op: Int) -> Region {
        let (i, j) = position(ofTile: tile)
        return Region(rows: rowComputed[i][op - firstOp], cols: colComputed[j][op - firstOp])
    }

    /// The region of `tensor` that `tile` computes or reads, if it needs it.
    public func region(of tensor: Int, tile: Int) -> Region? {
        let (i, j) = position(ofTile: tile)
        guard let r = rowWalks[i].need[tensor], let c = colWalks[j].need[tensor] else { return nil }
        return Region(rows: r.rows, cols: c.cols)
    }
    public var caches: [HaloCache] { cacheBytes.keys.sorted() }
    /// Whether `tensor` has a per-tile buffer in this stage.
    public func hasTileBuffer(_ tensor: Int) -> Bool { buffers.regionBytes[tensor] != nil }
}

extension FusedStage {
    /// Why ops `first...last` cannot be one fused block of `model`, in words
    /// ("crosses MEAN at op 39, which cannot be computed patch by patch").
    enum Refusal: Error {
        case global(op: Int, name: String)
        case outputs(String)
    }

    /// The block's outputs and their map, or why it cannot be fused.
    static func outputs(of model: Model, first: Int, last: Int) -> Result<(outputs: [Int], grid: (height: Int, width: Int)), Refusal> {
        for op in model.operators[first...last] where !model.rewrite.isDetached(op.index) && !ReceptiveField.isLocal(op, in: model) {
            return .failure(.global(op: op.index, name: op.kind.name))
        }
        var outputs: [Int] = []
        for op in model.operators[first...last] where !model.rewrite.isDetached(op.index) {
            for tensor in op.outputs where model.outputs.contains(tensor) || model.consumers[tensor].contains(where: { $0 > last }) {
                outputs.append(tensor)
            }
        }
        guard let head = outputs.first else { return .failure(.outputs("nothing after the stage reads its results")) }
        let shape = model.tensors[head].shape
        guard shape.count == 4 else { return .failure(.outputs("its output tensor \(head) is not a 4-D feature map")) }
        for tensor in outputs.dropFirst() {
            let other = model.tensors[tensor].shape
            guard other.count == 4, other[1] == shape[1], other[2] == shape[2] else {
                return .failure(.outputs("its outputs differ in size (\(shape[1])×\(shape[2]) and \(other.count == 4 ? "\(other[1])×\(other[2])" : "\(other)"))"))
            }
        }
        return .success((outputs, (shape[1], shape[2])))
    }

    /// Walks every tile back through ops `first...last`; the block's
    /// geometry and per-tile buffers, before any cache is chosen.
    init(model: Model, first: Int, last: Int, grid: TileGrid, outputs: [Int], outputGrid: (height: Int, width: Int),
         caching: HaloCaching, options: MemoryOptions, materialize: Bool = true,
         walks: (rows: [Walk], cols: [Walk])? = nil) {
        self.firstOp = first
        self.lastOp = last
        self.grid = grid
        self.outputs = outputs
        self.outputGrid = outputGrid
        let cuts = { (size: Int, parts: Int) in (0..<parts).map { ($0 * size / parts)..<(($0 + 1) * size / parts) } }
        let rowCuts = cuts(outputGrid.height, grid.rows), colCuts = cuts(outputGrid.width, grid.cols)
        var tiles: [Region] = []
        for rows in rowCuts { for cols in colCuts { tiles.append(Region(rows: rows, cols: cols)) } }
        tileRegions = tiles
        let rowWalks = walks?.rows ?? Self.rowWalks(model: model, first: first, last: last, outputs: outputs, outputGrid: outputGrid, rows: grid.rows)
        let colWalks = walks?.cols ?? Self.colWalks(model: model, first: first, last: last, outputs: outputs, outputGrid: outputGrid, cols: grid.cols)
        self.rowWalks = rowWalks
        self.colWalks = colWalks
        rowComputed = rowWalks.map { $0.ops.map(\.rows) }
        colComputed = colWalks.map { $0.ops.map(\.cols) }
        materialized = materialize
        self.caching = caching
        buffers = Self.stageBuffers(model: model, first: first, last: last, outputs: outputs, rowCuts: rowCuts, colCuts: colCuts,
                                    rowWalks: rowWalks, colWalks: colWalks, options: options)
        bands = caching == .none ? [:] : Self.cacheableBands(model: model, first: first, last: last, rowWalks: rowWalks,
                                                             colWalks: colWalks, perTile: buffers.regionBytes)
        if materialize {
            var allTensorRegions: [[Int: Region]] = []
            allTensorRegions.reserveCapacity(tiles.count)
            for i in rowWalks.indices {
                for j in colWalks.indices {
                    var need: [Int: Region] = [:]
                    for (tensor, r) in rowWalks[i].need {
                        guard let c = colWalks[j].need[tensor] else { continue }
                        need[tensor] = Region(rows: r.rows, cols: c.cols)
                    }
                    allTensorRegions.append(need)
                }
            }
            tensorRegions = allTensorRegions
            opRegions = tiles.indices.map { tile in
                let (i, j) = (tile / grid.cols, tile % grid.cols)
                return zip(rowWalks[i].ops, colWalks[j].ops).map { Region(rows: $0.rows, cols: $1.cols) }
            }
            computedRegions = opRegions
        }
    }

    static func cuts(_ size: Int, _ parts: Int) -> [Range<Int>] {
        (0..<parts).map { ($0 * size / parts)..<(($0 + 1) * size / parts) }
    }

    /// The walks of `rows` tile rows, each over the full width.
    static func rowWalks(model: Model, first: Int, last: Int, outputs: [Int], outputGrid: (height: Int, width: Int), rows: Int) -> [Walk] {
        cuts(outputGrid.height, rows).map { walk(model: model, first: first, last: last, outputs: outputs, from: Region(rows: $0, cols: 0..<outputGrid.width)) }
    }

    /// The walks of `cols` tile columns, each over the full height.
    static func colWalks(model: Model, first: Int, last: Int, outputs: [Int], outputGrid: (height: Int, width: Int), cols: Int) -> [Walk] {
        cuts(outputGrid.width, cols).map { walk(model: model, first: first, last: last, outputs: outputs, from: Region(rows: 0..<outputGrid.height, cols: $0)) }
    }

    /// Walks `region` of the block's outputs back op by op: the region of
    /// every tensor it needs, and each op's output region.
    static func walk(model: Model, first: Int, last: Int, outputs: [Int], from region: Region) -> Walk {
        var need: [Int: Region] = [:]
        for output in outputs { need[output] = region }
        var ops = [Region](repeating: Region(rows: 0..<0, cols: 0..<0), count: last - first + 1)
        for op in model.operators[first...last].reversed() where !model.rewrite.isDetached(op.index) {
            let region = op.outputs.compactMap { need[$0] }.reduce(Region(rows: 0..<0, cols: 0..<0)) { $0.union($1) }
            ops[op.index - first] = region
            guard !region.isEmpty else { continue }
            for slot in op.inputs.indices {
                guard let input = op.input(slot),
                      let inputRegion = ReceptiveField.inputRegion(of: op, slot: slot, for: region, in: model)
                else { continue }
                need[input] = (need[input] ?? Region(rows: 0..<0, cols: 0..<0)).union(inputRegion)
            }
        }
        return Walk(need: need, ops: ops)
    }

    /// The walk of every tile in full, tile by tile (what the separable
    /// walk must equal; kept for the tests).
    static func fullWalk(model: Model, first: Int, last: Int, outputs: [Int], tiles: [Region]) -> [Walk] {
        tiles.map { walk(model: model, first: first, last: last, outputs: outputs, from: $0) }
    }

    /// Whether `tensor` is read in place whole by the block rather than
    /// through a per-tile buffer: a tensor written before the block, or a
    /// graph input held in SRAM (a streamed one is copied in tile by tile).
    static func readsWhole(_ tensor: Int, model: Model, first: Int, options: MemoryOptions) -> Bool {
        if model.inputs.contains(tensor) { return !options.streamInput }
        return (model.producer[tensor] ?? Int.max) < first
    }

    /// What the block needs per tile: a buffer for each of its tensors'
    /// regions (all channels), as large as its largest tile, except where
    /// the tensor is read whole in place or an output's region is just the
    /// tile (written straight into the whole tensor); and each depthwise
    /// conv's largest one-channel input region.
    static func stageBuffers(model: Model, first: Int, last: Int, outputs: [Int], rowCuts: [Range<Int>], colCuts: [Range<Int>],
                             rowWalks: [Walk], colWalks: [Walk], options: MemoryOptions) -> StageBuffers {
        var regionBytes: [Int: Int] = [:]
        var staging: [Int: Int] = [:]
        func tallest(_ tensor: Int) -> Int? { rowWalks.compactMap { $0.need[tensor]?.rows.count }.max() }
        func widest(_ tensor: Int) -> Int? { colWalks.compactMap { $0.need[tensor]?.cols.count }.max() }
        let tensors = Set(rowWalks.flatMap(\.need.keys)).intersection(colWalks.flatMap(\.need.keys))
        for tensor in tensors {
            let shape = model.tensors[tensor].shape
            guard shape.count == 4, model.isActivation(tensor) else { continue }
            if readsWhole(tensor, model: model, first: first, options: options) { continue }
            let pixel = shape[3] * (model.tensors[tensor].type.byteSize ?? 1)
            if outputs.contains(tensor) {
                // Written straight into the whole tensor in the tiles whose
                // region is just the tile; a buffer for the others.
                var most = 0, needed = false
                for (i, rowWalk) in rowWalks.enumerated() {
                    guard let r = rowWalk.need[tensor]?.rows else { continue }
                    for (j, colWalk) in colWalks.enumerated() {
                        guard let c = colWalk.need[tensor]?.cols, r != rowCuts[i] || c != colCuts[j] else { continue }
                        most = max(most, r.count * c.count * pixel)
                        needed = true
                    }
                }
                if needed { regionBytes[tensor] = most }
            } else if let h = tallest(tensor), let w = widest(tensor) {
                regionBytes[tensor] = h * w * pixel
            }
        }
        for op in model.operators[first...last] where op.kind == .depthwiseConv2D {
            guard let input = op.input(0), let h = tallest(input), let w = widest(input) else { continue }
            staging[op.index] = h * w * (model.tensors[input].type.byteSize ?? 1)
        }
        return StageBuffers(firstOp: first, lastOp: last, outputs: outputs, regionBytes: regionBytes, stagingBytes: staging)
    }

    /// Tensors of the block a cache can serve: written by one of its ops,
    /// held in a per-tile buffer, with regions that move forward tile by tile.
    static func cacheableBands(model: Model, first: Int, last: Int, rowWalks: [Walk], colWalks: [Walk],
                               perTile: [Int: Int]) -> [Int: TensorBands] {
        var bands: [Int: TensorBands] = [:]
        for op in model.operators[first...last] where !model.rewrite.isDetached(op.index) && op.outputs.count == 1 {
            guard perTile[op.output] != nil,
                  let band = TensorBands(rows: rowWalks.map { $0.need[op.output]?.rows }, cols: colWalks.map { $0.need[op.output]?.cols })
            else { continue }
            bands[op.output] = band
        }
        return bands
    }

    /// The caches of `directions` this block can use.
    func possibleCaches(_ directions: [HaloCache.Direction]) -> Set<HaloCache> {
        Set(bands.flatMap { tensor, band in
            directions.filter { band.cachedPositions($0) > 0 }.map { HaloCache(tensor: tensor, direction: $0) }
        })
    }

    /// The block with `caches` (those of its tensors): computed regions and
    /// cache bytes.
    func with(caches: Set<HaloCache>, model: Model) -> FusedStage {
        var stage = self
        var bytes: [HaloCache: Int] = [:]
        for cache in caches {
            guard let band = bands[cache.tensor] else { continue }
            let t = model.tensors[cache.tensor]
            bytes[cache] = band.cachedPositions(cache.direction) * (t.shape.last ?? 1) * (t.type.byteSize ?? 1)
        }
        var rowComputed = rowWalks.map { $0.ops.map(\.rows) }
        var colComputed = colWalks.map { $0.ops.map(\.cols) }
        for op in model.operators[firstOp...lastOp] {
            guard let band = bands[op.output] else { continue }
            let column = bytes[HaloCache(tensor: op.output, direction: .column)] != nil
            let row = bytes[HaloCache(tensor: op.output, direction: .row)] != nil
            guard column || row else { continue }
            for i in 0..<grid.rows { rowComputed[i][op.index - firstOp] = band.computed(i: i, j: 0, column: false, row: row).rows }
            for j in 0..<grid.cols { colComputed[j][op.index - firstOp] = band.computed(i: 0, j: j, column: column, row: false).cols }
        }
        stage.rowComputed = rowComputed
        stage.colComputed = colComputed
        if materialized {
            stage.computedRegions = tileRegions.indices.map { tile in
                let (i, j) = position(ofTile: tile)
                return (0..<(lastOp - firstOp + 1)).map { Region(rows: rowComputed[i][$0], cols: colComputed[j][$0]) }
            }
        }
        stage.cacheBytes = bytes
        return stage
    }

    /// MACs of each op of the block, summed over tiles.
    func macs(model: Model) -> [Int] {
        model.operators[firstOp...lastOp].map { op in
            let perPosition = PatchPlan.macsPerPosition(of: op, in: model)
            guard perPosition > 0 else { return model.macs(of: op) }
            let k = op.index - firstOp
            return perPosition * rowComputed.reduce(0) { $0 + $1[k].count } * colComputed.reduce(0) { $0 + $1[k].count }
        }
    }

    /// The per-tile memory as the schedule's rules read it.
    var scheduleBuffers: StageBuffers {
        var b = buffers
        b.cacheBytes = cacheBytes
        return b
    }

    /// The copies between op `op`'s output buffer and its caches in `tile`:
    /// out of the caches before the op runs, into them after.
    public func cacheCopies(tile: Int, op: Int, model: Model) -> (reads: [CacheCopy], writes: [CacheCopy]) {
        guard contains(op: op), let tensor = model.operators[op].outputs.first, let bands = bands[tensor] else { return ([], []) }
        let column = cacheBytes[HaloCache(tensor: tensor, direction: .column)] != nil
        let row = cacheBytes[HaloCache(tensor: tensor, direction: .row)] != nil
        guard column || row else { return ([], []) }
        let (i, j) = position(ofTile: tile)
        return bands.copies(tensor: tensor, i: i, j: j, column: column, row: row)
    }

    /// MACs `cache` alone saves on its tensor's op.
    func macsSaved(by cache: HaloCache, model: Model) -> Int {
        guard let bands = bands[cache.tensor], let op = model.producer[cache.tensor] else { return 0 }
        let perPosition = PatchPlan.macsPerPosition(of: model.operators[op], in: model)
        var saved = 0
        for i in 0..<grid.rows {
            for j in 0..<grid.cols {
                let full = bands.computed(i: i, j: j, column: false, row: false).area
                saved += perPosition * (full - bands.computed(i: i, j: j, column: cache.direction == .column, row: cache.direction == .row).area)
            }
        }
        return saved
    }
}
