import Foundation

/// Where each buffer of a memory schedule sits in one contiguous arena,
/// fixed ahead of time as a microcontroller runtime fixes it: for
/// MobileNetV2 at 224 with in-place depthwise, the two buffers live at the
/// peak go at offsets 0 and 200,704 of a 1,404,928-byte arena.
///
/// The layout places buffers and nothing else: which buffers exist, how
/// big each is at every op and when it is live are the schedule's
/// (`MemorySchedule.Buffer`), and so is the liveness peak it aims for.
/// Buffers whose lifetimes overlap must not overlap in memory. The layout
/// is greedy, like TFLite Micro's planner: place buffers largest first, each
/// at the lowest offset where it fits beside the already placed buffers
/// that are live at the same time. Several orders are tried and the
/// smallest arena kept; the schedule's peak (the most bytes live at once) is
/// a lower bound no layout can beat, so the search stops when it is reached.
/// Where the fixed orders miss it, a seeded search swaps neighbours in the
/// best order found (deterministic: the same schedule gives the same layout).
public struct ArenaLayout: Equatable, Sendable {
    /// Buffer `buffer` of the schedule (its index in `schedule.buffers`),
    /// placed at `offset`; it reaches up to `offset + bytes` (its largest
    /// size) over its life.
    public struct Placement: Equatable, Hashable, Sendable {
        public var buffer: Int
        public var offset: Int
        public var bytes: Int
        public var end: Int { offset + bytes }
    }

    /// One placement per schedule buffer, in buffer order:
    /// `placements[i].buffer == i`.
    public let placements: [Placement]
    /// The arena size: the highest byte any buffer reaches.
    public let arenaBytes: Int

    /// Places the buffers of `schedule`.
    public init(schedule: MemorySchedule) {
        self.init(buffers: schedule.buffers, liveBytes: schedule.liveBytes)
    }

    /// Places `buffers`, whose live bytes at each op are `liveBytes` (the
    /// schedule's): their peak is the size to reach.
    init(buffers: [MemorySchedule.Buffer], liveBytes: [Int]) {
        let placer = Placer(buffers: buffers, load: liveBytes)
        let lowerBound = liveBytes.max() ?? 0
        let ids = Array(buffers.indices)
        let orders: [(Int, Int) -> Bool] = [
            { (buffers[$0].bytes, buffers[$1].firstOp, $1) > (buffers[$1].bytes, buffers[$0].firstOp, $0) },
            { (buffers[$0].firstOp, buffers[$1].bytes, $0) < (buffers[$1].firstOp, buffers[$0].bytes, $1) },
            { (buffers[$0].lastOp - buffers[$0].firstOp, buffers[$0].bytes, $1) > (buffers[$1].lastOp - buffers[$1].firstOp, buffers[$1].bytes, $0) },
        ]
        var best: [Placer.Spot] = []
        var bestOrder: [Int] = []
        var bestSize = Int.max
        func consider(_ order: [Int], bestFit: Bool) {
            let placed = placer.place(order, bestFit: bestFit)
            let size = placed.map { $0.offset + buffers[$0.buffer].bytes }.max() ?? 0
            if size < bestSize { best = placed; bestSize = size; bestOrder = order }
        }
        search: for order in orders {
            for bestFit in [false, true] {
                consider(ids.sorted(by: order), bestFit: bestFit)
                if bestSize <= lowerBound { break search }
            }
        }
        if bestSize > lowerBound, let exact = placer.search(within: lowerBound, nodeBudget: 60_000) {
            best = exact
            bestSize = lowerBound
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var attempts = 0
        while bestSize > lowerBound, attempts < 400, bestOrder.count > 1 {
            attempts += 1
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let i = Int((seed >> 33) % UInt64(bestOrder.count - 1))
            let j = min(bestOrder.count - 1, i + 1 + Int((seed >> 20) % 3))
            var order = bestOrder
            order.swapAt(i, j)
            consider(order, bestFit: attempts % 2 == 0)
        }
        // Orders by size with seeded noise: lifetimes that interleave (an
        // FPN's lateral branches) need a big buffer placed before a bigger
        // one, which no fixed order gives.
        var noisy = 0
        while bestSize > lowerBound, noisy < 600, buffers.count > 1 {
            noisy += 1
            var keyed: [(key: Double, buffer: Int)] = []
            for id in ids {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let noise = 0.5 + Double(seed >> 11) / Double(1 << 53)
                keyed.append((Double(buffers[id].bytes) * noise, id))
            }
            consider(keyed.sorted { ($0.key, $1.buffer) > ($1.key, $0.buffer) }.map(\.buffer), bestFit: noisy % 2 == 0)
        }
        placements = best.sorted { $0.buffer < $1.buffer }.map { Placement(buffer: $0.buffer, offset: $0.offset, bytes: buffers[$0.buffer].bytes) }
        arenaBytes = buffers.isEmpty ? 0 : bestSize
    }

    /// The arena offset of schedule buffer `buffer`.
    public func offset(of buffer: Int) -> Int { placements[buffer].offset }
}

extension PatchPlan {
    /// The arena of this plan: its schedule's buffers, placed. Laid out on
    /// first use (a sweep that never asks never pays for it) and kept.
    public var layout: ArenaLayout { layoutCache.layout(of: schedule) }
}

/// The layout of one plan, made once, shared by the plan's copies.
final class LayoutCache: @unchecked Sendable {
    private let lock = NSLock()
    private var layout: ArenaLayout?

    func layout(of schedule: MemorySchedule) -> ArenaLayout {
        lock.lock()
        defer { lock.unlock() }
        if let layout { return layout }
        let made = ArenaLayout(schedule: schedule)
        layout = made
        return made
    }
}

/// The placing itself, over indices into the schedule's buffers (their
/// lifetimes and largest sizes read once into flat arrays for the search).
struct Placer {
    let buffers: [MemorySchedule.Buffer]
    let first: [Int]
    let last: [Int]
    let size: [Int]
    /// Whether a buffer holds the same bytes over its whole life.
    let uniform: [Bool]
    /// Live bytes at each op (the schedule's).
    let load: [Int]

    init(buffers: [MemorySchedule.Buffer], load: [Int]) {
        self.buffers = buffers
        first = buffers.map(\.firstOp)
        last = buffers.map(\.lastOp)
        size = buffers.map(\.bytes)
        uniform = buffers.map { buffer in buffer.residents.count == 1 }
        self.load = load
    }

    /// A buffer at an offset, while a layout is being made.
    struct Spot {
        var buffer: Int
        var offset: Int
    }

    func overlapInTime(_ a: Int, _ b: Int) -> Bool { first[a] <= last[b] && first[b] <= last[a] }

    /// The most bytes `a` holds while `b` is live: how much room it needs
    /// next to `b`.
    func bytes(of a: Int, beside b: Int) -> Int {
        if uniform[a] { return size[a] }
        let lo = max(first[a], first[b]), hi = min(last[a], last[b])
        return lo <= hi ? buffers[a].bytes(during: lo...hi) : 0
    }

    /// Places buffers in `order`, each in the first gap that fits (or,
    /// with `bestFit`, the smallest such gap) among the placed buffers live
    /// at the same time.
    func place(_ order: [Int], bestFit: Bool) -> [Spot] {
        var placed: [Spot] = []
        for buffer in order {
            let needed = size[buffer]
            let neighbours = placed.filter { overlapInTime($0.buffer, buffer) && size[$0.buffer] > 0 }
                .map { (offset: $0.offset, end: $0.offset + bytes(of: $0.buffer, beside: buffer)) }
                .sorted { $0.offset < $1.offset }
            var offset = 0
            var chosen: (offset: Int, gap: Int)?
            for neighbour in neighbours {
                let gap = neighbour.offset - offset
                if gap >= needed {
                    if !bestFit { chosen = (offset, gap); break }
                    if gap < (chosen?.gap ?? Int.max) { chosen = (offset, gap) }
                }
                offset = max(offset, neighbour.end)
            }
            placed.append(Spot(buffer: buffer, offset: chosen?.offset ?? offset))
        }
        return placed
    }

    /// A depth-first search for a layout no higher than `limit`, for the
    /// cases the greedy orders miss (lifetimes that interleave so that the
    /// biggest buffers must go to opposite ends of the arena).
    ///
    /// Buffers are taken tightest first (then in order of their first op,
    /// of their last, and by size, each order with a quarter of the
    /// budget); each tries, lowest first, offset 0, the end of each placed
    /// buffer it overlaps in time, and the spot just below one. Any layout
    /// can be pushed down until each buffer rests on another or on 0, so
    /// these spots are where good layouts live. Gives up after `nodeBudget`
    /// placements tried.
    func search(within limit: Int, nodeBudget: Int) -> [Spot]? {
        let sized = buffers.indices.filter { size[$0] > 0 }
        // The tightest ops first: a buffer live where the load is highest
        // has the least room, so it is placed before those with slack.
        let tightness = Dictionary(sized.map { b in
            (b, (first[b]...last[b]).reduce(0) { max($0, $1 >= 0 && $1 < load.count ? load[$1] : 0) })
        }, uniquingKeysWith: { a, _ in a })
        func span(_ b: Int) -> Int { last[b] - first[b] }
        let orders = [
            sized.sorted { (tightness[$1] ?? 0, span($1), size[$1], $0) < (tightness[$0] ?? 0, span($0), size[$0], $1) },
            sized.sorted { (first[$0], size[$1], $0) < (first[$1], size[$0], $1) },
            sized.sorted { (last[$0], size[$1], $0) > (last[$1], size[$0], $1) },
            sized.sorted { (size[$1], first[$0], $0) < (size[$0], first[$1], $1) },
        ]
        for order in orders {
            if let found = searchInOrder(order, within: limit, nodeBudget: nodeBudget / orders.count) {
                return found + buffers.indices.filter { size[$0] == 0 }.map { Spot(buffer: $0, offset: 0) }
            }
        }
        return nil
    }

    private func searchInOrder(_ order: [Int], within limit: Int, nodeBudget: Int) -> [Spot]? {
        var placed: [Spot] = []
        var nodes = 0
        func fits(_ buffer: Int, at offset: Int) -> Bool {
            guard offset >= 0, offset + size[buffer] <= limit else { return false }
            for other in placed where overlapInTime(other.buffer, buffer) {
                if offset < other.offset + bytes(of: other.buffer, beside: buffer)
                    && other.offset < offset + bytes(of: buffer, beside: other.buffer) { return false }
            }
            return true
        }
        func go(_ k: Int) -> Bool {
            if k == order.count { return true }
            let buffer = order[k]
            var candidates: Set<Int> = [0, limit - size[buffer]]
            for other in placed where overlapInTime(other.buffer, buffer) {
                candidates.insert(other.offset + bytes(of: other.buffer, beside: buffer))
                candidates.insert(other.offset - bytes(of: buffer, beside: other.buffer))
            }
            for offset in candidates.sorted() where fits(buffer, at: offset) {
                nodes += 1
                if nodes > nodeBudget { return false }
                placed.append(Spot(buffer: buffer, offset: offset))
                if go(k + 1) { return true }
                placed.removeLast()
            }
            return false
        }
        return go(0) ? placed : nil
    }
}
