/// Offsets for every buffer in one contiguous arena, planned ahead of time
/// as a microcontroller runtime does.
///
/// Buffers whose lifetimes overlap must not overlap in memory. The layout
/// is greedy, like TFLite Micro's planner: place buffers largest first, each
/// at the lowest offset where it fits beside the already placed buffers
/// that are live at the same time. Several orders are tried and the
/// smallest arena kept; the liveness peak (the most bytes live at once) is a
/// lower bound no layout can beat, so the search stops when it is reached.
/// Where the fixed orders miss it, a seeded search swaps neighbours in the
/// best order found (deterministic: the same buffers give the same layout).
public struct ArenaLayout: Equatable, Sendable {
    /// One buffer to place: `bytes` live from step `first` through `last`.
    ///
    /// A buffer can also change size over its life (`sizes`, one per step):
    /// an in-place depthwise conv writes its output over its input, so the
    /// two tensors share one buffer that holds the input's bytes, then the
    /// output's. `bytes` is then the largest size.
    public struct Buffer: Equatable, Hashable, Sendable {
        public var id: Int
        public var bytes: Int
        public var first: Int
        public var last: Int
        /// Bytes at each step `first...last`, when they vary.
        public var sizes: [Int]?

        public init(id: Int, bytes: Int, first: Int, last: Int) {
            self.id = id
            self.bytes = bytes
            self.first = first
            self.last = last
        }

        /// A buffer whose size varies: `sizes[k]` bytes at step `first + k`.
        public init(id: Int, first: Int, sizes: [Int]) {
            self.init(id: id, bytes: sizes.max() ?? 0, first: first, last: first + max(sizes.count, 1) - 1)
            self.sizes = sizes
        }

        func overlapsInTime(_ other: Buffer) -> Bool { first <= other.last && other.first <= last }

        /// Bytes held at `step` (0 outside the lifetime).
        public func bytes(at step: Int) -> Int {
            guard step >= first, step <= last else { return 0 }
            return sizes.map { $0[step - first] } ?? bytes
        }

        /// The most bytes held at any step both buffers are live: how much
        /// room this one needs next to `other`.
        func bytes(beside other: Buffer) -> Int {
            guard let sizes else { return bytes }
            let lo = max(first, other.first), hi = min(last, other.last)
            guard lo <= hi else { return 0 }
            return sizes[(lo - first)...(hi - first)].max() ?? 0
        }
    }

    /// A placed buffer.
    public struct Placement: Equatable, Hashable, Sendable {
        public var buffer: Buffer
        public var offset: Int
        public var end: Int { offset + buffer.bytes }
        /// The end of what this buffer occupies while `other` is live.
        func end(beside other: Buffer) -> Int { offset + buffer.bytes(beside: other) }
    }

    public let placements: [Placement]
    /// The arena size: the highest byte any buffer reaches.
    public let arenaBytes: Int
    /// The most bytes live at one step: no layout can be smaller.
    public let livenessLowerBound: Int

    public init(buffers: [Buffer]) {
        let lowerBound = Self.peakLiveBytes(buffers)
        let orders: [(Buffer, Buffer) -> Bool] = [
            { ($0.bytes, $1.first, $1.id) > ($1.bytes, $0.first, $0.id) },
            { ($0.first, $1.bytes, $0.id) < ($1.first, $0.bytes, $1.id) },
            { ($0.last - $0.first, $0.bytes, $1.id) > ($1.last - $1.first, $1.bytes, $0.id) },
        ]
        var best: [Placement] = []
        var bestOrder: [Buffer] = []
        var bestSize = Int.max
        func consider(_ order: [Buffer], bestFit: Bool) {
            let placed = Self.place(order, bestFit: bestFit)
            let size = placed.map(\.end).max() ?? 0
            if size < bestSize { best = placed; bestSize = size; bestOrder = order }
        }
        search: for order in orders {
            for bestFit in [false, true] {
                consider(buffers.sorted(by: order), bestFit: bestFit)
                if bestSize <= lowerBound { break search }
            }
        }
        if bestSize > lowerBound, let exact = Self.search(buffers, within: lowerBound, nodeBudget: 60_000) {
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
            var keyed: [(key: Double, buffer: Buffer)] = []
            for buffer in buffers {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let noise = 0.5 + Double(seed >> 11) / Double(1 << 53)
                keyed.append((Double(buffer.bytes) * noise, buffer))
            }
            consider(keyed.sorted { ($0.key, $1.buffer.id) > ($1.key, $0.buffer.id) }.map(\.buffer), bestFit: noisy % 2 == 0)
        }
        placements = best.sorted { $0.buffer.id < $1.buffer.id }
        arenaBytes = buffers.isEmpty ? 0 : bestSize
        livenessLowerBound = lowerBound
    }

    /// The placement of buffer `id`.
    public func placement(of id: Int) -> Placement? {
        placements.first { $0.buffer.id == id }
    }

    /// Placements live at `step`, by offset: what a memory map draws.
    public func live(at step: Int) -> [Placement] {
        placements.filter { $0.buffer.first <= step && step <= $0.buffer.last }.sorted { $0.offset < $1.offset }
    }

    /// Places buffers in `order`, each in the first gap that fits (or,
    /// with `bestFit`, the smallest such gap) among the placed buffers live
    /// at the same time.
    static func place(_ order: [Buffer], bestFit: Bool) -> [Placement] {
        var placed: [Placement] = []
        for buffer in order {
            let neighbours = placed.filter { $0.buffer.overlapsInTime(buffer) && $0.buffer.bytes > 0 }
                .map { (offset: $0.offset, end: $0.end(beside: buffer)) }
                .sorted { $0.offset < $1.offset }
            var offset = 0
            var chosen: (offset: Int, gap: Int)?
            for neighbour in neighbours {
                let gap = neighbour.offset - offset
                if gap >= buffer.bytes {
                    if !bestFit { chosen = (offset, gap); break }
                    if gap < (chosen?.gap ?? Int.max) { chosen = (offset, gap) }
                }
                offset = max(offset, neighbour.end)
            }
            placed.append(Placement(buffer: buffer, offset: chosen?.offset ?? offset))
        }
        return placed
    }

    /// A depth-first search for a layout no higher than `limit`, for the
    /// cases the greedy orders miss (lifetimes that interleave so that the
    /// biggest buffers must go to opposite ends of the arena).
    ///
    /// Buffers are taken in order of their first step (then of their last,
    /// then by size, each order with a third of the budget); each tries, lowest
    /// first, offset 0, the end of each placed buffer it overlaps in time,
    /// and the spot just below one. Any layout can be pushed down until each
    /// buffer rests on another or on 0, so these spots are where good
    /// layouts live. Gives up after `nodeBudget` placements tried.
    static func search(_ buffers: [Buffer], within limit: Int, nodeBudget: Int) -> [Placement]? {
        let sized = buffers.filter { $0.bytes > 0 }
        // The tightest steps first: a buffer live where the load is highest
        // has the least room, so it is placed before those with slack.
        let load = loadPerStep(sized)
        let tightness = Dictionary(sized.map { b in
            (b.id, (b.first...b.last).reduce(0) { max($0, $1 < load.count ? load[$1] : 0) })
        }, uniquingKeysWith: { a, _ in a })
        let orders = [
            sized.sorted { (tightness[$1.id] ?? 0, $1.last - $1.first, $1.bytes, $0.id) < (tightness[$0.id] ?? 0, $0.last - $0.first, $0.bytes, $1.id) },
            sized.sorted { ($0.first, $1.bytes, $0.id) < ($1.first, $0.bytes, $1.id) },
            sized.sorted { ($0.last, $1.bytes, $0.id) > ($1.last, $0.bytes, $1.id) },
            sized.sorted { ($1.bytes, $0.first, $0.id) < ($0.bytes, $1.first, $1.id) },
        ]
        for order in orders {
            if let found = searchInOrder(order, within: limit, nodeBudget: nodeBudget / orders.count) {
                return found + buffers.filter { $0.bytes == 0 }.map { Placement(buffer: $0, offset: 0) }
            }
        }
        return nil
    }

    private static func searchInOrder(_ order: [Buffer], within limit: Int, nodeBudget: Int) -> [Placement]? {
        var placed: [Placement] = []
        var nodes = 0
        func fits(_ buffer: Buffer, at offset: Int) -> Bool {
            guard offset >= 0, offset + buffer.bytes <= limit else { return false }
            for other in placed where other.buffer.overlapsInTime(buffer) {
                if offset < other.end(beside: buffer) && other.offset < offset + buffer.bytes(beside: other.buffer) { return false }
            }
            return true
        }
        func go(_ k: Int) -> Bool {
            if k == order.count { return true }
            let buffer = order[k]
            var candidates: Set<Int> = [0, limit - buffer.bytes]
            for other in placed where other.buffer.overlapsInTime(buffer) {
                candidates.insert(other.end(beside: buffer))
                candidates.insert(other.offset - buffer.bytes(beside: other.buffer))
            }
            for offset in candidates.sorted() where fits(buffer, at: offset) {
                nodes += 1
                if nodes > nodeBudget { return false }
                placed.append(Placement(buffer: buffer, offset: offset))
                if go(k + 1) { return true }
                placed.removeLast()
            }
            return false
        }
        return go(0) ? placed : nil
    }

    /// Bytes live at each step `0...last step`.
    static func loadPerStep(_ buffers: [Buffer]) -> [Int] {
        let steps = (buffers.map(\.last).max() ?? -1) + 1
        var load = [Int](repeating: 0, count: max(steps, 0))
        for b in buffers where b.bytes > 0 && b.first >= 0 {
            for step in b.first...b.last { load[step] += b.bytes(at: step) }
        }
        return load
    }

    static func peakLiveBytes(_ buffers: [Buffer]) -> Int {
        var events: [(step: Int, delta: Int)] = []
        for b in buffers where b.bytes > 0 {
            guard let sizes = b.sizes else {
                events.append((b.first, b.bytes))
                events.append((b.last + 1, -b.bytes))
                continue
            }
            for (k, size) in sizes.enumerated() where size > 0 {
                events.append((b.first + k, size))
                events.append((b.first + k + 1, -size))
            }
        }
        events.sort { ($0.step, $0.delta) < ($1.step, $1.delta) }
        var live = 0, peak = 0
        for event in events {
            live += event.delta
            peak = max(peak, live)
        }
        return peak
    }
}
