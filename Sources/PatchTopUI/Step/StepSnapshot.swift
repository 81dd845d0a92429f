import PatchTopPlan

/// One step of the schedule: op `op`, and inside the patch stage the patch
/// it computes (`nil` outside the stage).
public struct StepPoint: Equatable, Hashable, Sendable {
    public var op: Int
    public var patch: Int?
    public init(op: Int, patch: Int?) {
        self.op = op
        self.patch = patch
    }
}

/// A buffer that holds arena bytes right now: what the memory map draws.
public struct ArenaBlock: Equatable, Hashable, Sendable {
    /// What the buffer holds now, as the memory schedule names it.
    public var kind: MemorySchedule.BufferKind
    /// The tensor it holds (for a staging buffer or scratch row: its op's input).
    public var tensor: Int
    public var offset: Int
    public var bytes: Int
    public init(kind: MemorySchedule.BufferKind, tensor: Int, offset: Int, bytes: Int) {
        self.kind = kind
        self.tensor = tensor
        self.offset = offset
        self.bytes = bytes
    }

    /// A per-patch region buffer (reused by every patch) rather than a whole tensor.
    public var isPerPatch: Bool { kind.isPerPatch }

    /// The kind as the legend shows it.
    public var kindLabel: String {
        switch kind {
        case .tensor: "whole"
        case .patchRegion: "patch"
        case .inplaceStaging: "stage"
        case .residualScratch: "scratch"
        case .haloCache: "cache"
        }
    }
    public var end: Int { offset + bytes }
}

/// The bytes a tensor holds now: a region (rows × cols, all channels, NHWC,
/// batch 1) of its full map, e.g. one patch's 19×19×16 slab of a 72×72×16 map.
public struct StepValues: Equatable, Sendable {
    public var tensor: Int
    public var rows: Range<Int>
    public var cols: Range<Int>
    public var channels: Int
    public var data: [Int8]
    public init(tensor: Int, rows: Range<Int>, cols: Range<Int>, channels: Int, data: [Int8]) {
        self.tensor = tensor
        self.rows = rows
        self.cols = cols
        self.channels = max(1, channels)
        self.data = data
    }

    /// The value at (row, col, channel) in full-map coordinates, `nil` outside the region.
    public func value(row: Int, col: Int, channel: Int) -> Int8? {
        guard rows.contains(row), cols.contains(col), channel >= 0, channel < channels else { return nil }
        let index = ((row - rows.lowerBound) * cols.count + (col - cols.lowerBound)) * channels + channel
        return index >= 0 && index < data.count ? data[index] : nil
    }

    /// The part of these values inside `rows` × `cols` (empty when they do not meet).
    public func cropped(rows r: Range<Int>, cols c: Range<Int>) -> StepValues {
        let rows = r.clamped(to: self.rows), cols = c.clamped(to: self.cols)
        var data: [Int8] = []
        data.reserveCapacity(rows.count * cols.count * channels)
        for row in rows { for col in cols { for channel in 0..<channels {
            data.append(value(row: row, col: col, channel: channel) ?? 0)
        } } }
        return StepValues(tensor: tensor, rows: rows, cols: cols, channels: channels, data: data)
    }

    /// Min, max and mean of one channel over the region, `nil` when it holds nothing.
    public func statistics(channel: Int) -> (min: Int, max: Int, mean: Double)? {
        var lo = Int.max, hi = Int.min, sum = 0, count = 0
        for row in rows { for col in cols {
            guard let v = value(row: row, col: col, channel: channel) else { continue }
            lo = min(lo, Int(v)); hi = max(hi, Int(v)); sum += Int(v); count += 1
        } }
        return count == 0 ? nil : (lo, hi, Double(sum) / Double(count))
    }
}

/// Step-through mode as the views see it: where the session is, what the
/// arena holds, and the output of the step just executed. Pure data, made by
/// the step driver after every step.
public struct StepSnapshot: Equatable, Sendable {
    /// The run generation whose plan the session runs; `update` drops
    /// snapshots of a plan that has since changed.
    public var generation: Int
    /// Index of the next step in the schedule (steps done so far).
    public var position: Int
    public var stepCount: Int
    /// The step just executed, `nil` before the first.
    public var last: StepPoint?
    /// The step `Space` executes next, `nil` when finished.
    public var next: StepPoint?
    public var blocks: [ArenaBlock]
    public var arenaBytes: Int
    /// The output of the step just executed, as the arena holds it.
    public var values: StepValues?
    public var isFinished: Bool
    /// When finished: whether the output equals the layer-by-layer run's.
    public var identical: Bool?
    /// Where the session stops short of the model's end (an op the runtime
    /// cannot run) and why; `nil` when it runs to the end.
    public var stopNote: String?

    public init(generation: Int = 0, position: Int, stepCount: Int, last: StepPoint?, next: StepPoint?, blocks: [ArenaBlock],
                arenaBytes: Int, values: StepValues?, isFinished: Bool, identical: Bool? = nil, stopNote: String? = nil) {
        self.generation = generation
        self.position = position
        self.stepCount = stepCount
        self.last = last
        self.next = next
        self.blocks = blocks
        self.arenaBytes = arenaBytes
        self.values = values
        self.isFinished = isFinished
        self.identical = identical
        self.stopNote = stopNote
    }
}
