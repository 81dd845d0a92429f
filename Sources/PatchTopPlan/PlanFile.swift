import Foundation
import PatchTopModel

/// A plan read back from a file (`--plan FILE`): the JSON object
/// `plan --json` prints, or one entry of `sweep --json`'s `plans`.
///
/// What is read: `stages`, a list of `{firstOp, lastOp, grid: [rows,
/// cols]}` in op order (`[1, 1]` runs the ops layer by layer; ops no stage
/// lists run layer by layer too), each optionally with `haloCache` (`none`,
/// `all`, `rows`, `columns`) or `caches` (`[{tensor, direction}]`, exactly
/// those); the memory options (`inplaceDepthwise`, `streamInput`,
/// `fuseResidual`, `foldPad`, `int8IO`) when present; and `peakBytes`,
/// which the plan rebuilt on the model must reach exactly.
public struct PlanFile: Sendable {
    /// One stage as the file lists it.
    public struct Stage: Equatable, Sendable {
        public var firstOp: Int
        public var lastOp: Int
        public var grid: TileGrid
        public var caching: HaloCaching?
        public var caches: Set<HaloCache>?
    }

    public var name: String
    public var stages: [Stage]
    /// Memory options the file names; `nil` fields keep the command's.
    public var inplaceDepthwise: Bool?
    public var streamInput: Bool?
    public var fuseResidual: Bool?
    public var foldPad: Bool?
    public var int8IO: Bool?
    public var peakBytes: Int?
    public var macOverhead: Double?

    /// Why a plan file cannot be used, in one line naming the file.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads and parses `path`.
    public static func read(path: String) throws(Failure) -> PlanFile {
        // A regular file of at most 16 MiB (a plan of thousands of stages
        // is far smaller): no device, fifo or runaway file is read.
        switch RegularFile.read(path, limit: 16 << 20) {
        case .success(let bytes): return try parse(Data(bytes), name: path)
        case .failure(let error): throw Failure(message: "\(path): cannot read the plan file: \(error)")
        }
    }

    /// Parses the bytes of a plan file called `name`.
    public static func parse(_ data: Data, name: String) throws(Failure) -> PlanFile {
        func fail(_ why: String) -> Failure { Failure(message: "\(name): \(why)") }
        guard let top = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) else { throw fail("is not JSON") }
        guard let object = top as? [String: Any] else { throw fail("is not a JSON object with `stages`") }
        guard let list = object["stages"] else {
            if object["plans"] != nil || object["paretoFront"] != nil {
                throw fail("holds a whole sweep: save one of its `plans` (an object with `stages`)")
            }
            throw fail("has no `stages` list")
        }
        guard let entries = list as? [Any] else { throw fail("`stages` is not a list") }
        var stages: [Stage] = []
        for (index, entry) in entries.enumerated() {
            func bad(_ why: String) -> Failure { fail("stage \(index): \(why)") }
            guard let stage = entry as? [String: Any] else { throw bad("is not an object") }
            guard let first = integer(stage["firstOp"]) else { throw bad("has no integer `firstOp`") }
            guard let last = integer(stage["lastOp"]) else { throw bad("has no integer `lastOp`") }
            guard let grid = stage["grid"] as? [Any], grid.count == 2, let rows = integer(grid[0]), let cols = integer(grid[1]) else {
                throw bad("`grid` is not [rows, cols]")
            }
            var caching: HaloCaching?
            if let mode = stage["haloCache"], stage["caches"] == nil {
                switch mode as? String {
                case "none"?: caching = HaloCaching.none
                case "all"?: caching = .all
                case "rows"?: caching = .only(.row)
                case "columns"?: caching = .only(.column)
                case "auto"?: caching = .auto(budget: nil)
                default: throw bad("`haloCache` is not one of none, all, auto, rows, columns")
                }
            }
            var caches: Set<HaloCache>?
            if let listed = stage["caches"] {
                guard let items = listed as? [Any] else { throw bad("`caches` is not a list") }
                var set = Set<HaloCache>()
                for item in items {
                    guard let cache = item as? [String: Any], let tensor = integer(cache["tensor"]),
                          let direction = (cache["direction"] as? String).flatMap(HaloCache.Direction.init(rawValue:))
                    else { throw bad("a cache is not {tensor, direction: row|column}") }
                    set.insert(HaloCache(tensor: tensor, direction: direction))
                }
                caches = set
            }
            stages.append(Stage(firstOp: first, lastOp: last, grid: TileGrid(rows: rows, cols: cols), caching: caching, caches: caches))
        }
        func flag(_ key: String) throws(Failure) -> Bool? {
            guard let value = object[key] else { return nil }
            guard isBoolean(value), let bool = value as? Bool else { throw fail("`\(key)` is not true or false") }
            return bool
        }
        var file = PlanFile(name: name, stages: stages)
        file.inplaceDepthwise = try flag("inplaceDepthwise")
        file.streamInput = try flag("streamInput")
        file.fuseResidual = try flag("fuseResidual")
        file.foldPad = try flag("foldPad")
        file.int8IO = try flag("int8IO")
        if let peak = object["peakBytes"] {
            guard let bytes = integer(peak) else { throw fail("`peakBytes` is not an integer") }
            file.peakBytes = bytes
        }
        file.macOverhead = object["macOverhead"] as? Double
        return file
    }

    /// JSON `true`/`false` (Foundation hands numbers and booleans over as
    /// NSNumber; a boolean's type is CFBoolean, its encoding `c`).
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(describing: type(of: value)).contains("Boolean") || String(cString: number.objCType) == "c"
    }

    private static func integer(_ value: Any?) -> Int? {
        guard let value, !isBoolean(value), let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    init(name: String, stages: [Stage]) {
        self.name = name
        self.stages = stages
    }

    /// The command's memory options with the file's where it names them.
    public func options(over base: MemoryOptions) -> MemoryOptions {
        var options = base
        if let inplaceDepthwise { options.inplaceDepthwise = inplaceDepthwise }
        if let streamInput { options.streamInput = streamInput }
        if let fuseResidual { options.fuseResidual = fuseResidual }
        if let foldPad { options.foldPad = foldPad }
        if let int8IO { options.int8IO = int8IO }
        return options
    }

    /// The plan on `model`, or one message naming the stage that does not
    /// fit it and why.
    public func plan(for model: Model, options base: MemoryOptions) throws(Failure) -> PatchPlan {
        let options = options(over: base)
        let opCount = model.operators.count
        var specs: [StageSpec] = []
        var fileIndex: [Int] = []
        var next = 0
        for (index, stage) in stages.enumerated() {
            func bad(_ why: String) -> Failure {
                Failure(message: "\(name): stage \(index) (ops \(stage.firstOp)…\(stage.lastOp), \(stage.grid)): \(why)")
            }
            guard stage.firstOp >= 0, stage.lastOp >= stage.firstOp else { throw bad("its ops are not a range") }
            guard stage.lastOp < opCount else { throw bad("\(model.name) has ops 0…\(opCount - 1)") }
            guard stage.firstOp >= next else { throw bad("it starts before the stage ahead of it ends (op \(next - 1))") }
            guard stage.grid.rows >= 1, stage.grid.cols >= 1 else { throw bad("a grid has at least 1×1 tiles") }
            next = stage.lastOp + 1
            guard !stage.grid.isSingle else {
                if stage.caches?.isEmpty == false { throw bad("a layer-by-layer stage has no halo caches") }
                continue
            }
            specs.append(StageSpec(firstOp: stage.firstOp, lastOp: stage.lastOp, grid: stage.grid, caching: stage.caching ?? HaloCaching.none,
                                   caches: stage.caches))
            fileIndex.append(index)
        }
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: model, stages: specs, options: options)
        } catch {
            if case .invalidStage(let k, _, _, let reason) = error, k < fileIndex.count {
                let stage = stages[fileIndex[k]]
                throw Failure(message: "\(name): stage \(fileIndex[k]) (ops \(stage.firstOp)…\(stage.lastOp), \(stage.grid)): \(reason)")
            }
            throw Failure(message: "\(name): \(error.description)")
        }
        if let peakBytes, peakBytes != plan.peakBytes {
            throw Failure(message: "\(name): its stages give a peak of \(plan.peakBytes) bytes on \(model.name) under \(options.summary), the file says \(peakBytes): it was made for another model or other memory options (remove `peakBytes` to accept the new figure)")
        }
        return plan
    }
}
