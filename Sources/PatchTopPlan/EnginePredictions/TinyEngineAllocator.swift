/// TinyEngine's activation allocator, rule for rule, so its arena can be
/// predicted to the byte: rectangles (a lifetime in layers × bytes) are
/// placed in decreasing size, each at the lowest address of a free slot
/// large enough, where a slot is what remains of `0..<sramLimit` after
/// cutting out every placed rectangle whose lifetime overlaps.
///
/// Its quirks are part of the result and kept on purpose:
/// - lifetimes are half-open `[start, end)` but compared with strict
///   inequalities, so two rectangles with the same start and end do not
///   overlap and may share addresses;
/// - address ranges are compared inclusively (touching counts);
/// - the slot list is cut while it is walked, so the slot after one that
///   was cut is not looked at for that rectangle;
/// - after a stride-2 in-place depthwise conv its buffer counts a quarter
///   of its size for later rectangles (the output is a quarter of the input).
public struct TinyEngineAllocator: Sendable {
    public struct Rectangle: Equatable, Sendable {
        public var start: Int
        public var end: Int
        public var bytes: Int
        /// The stride-2 in-place depthwise layer after which only a quarter is held.
        public var stride2InplaceLayer: Int?
        public var placement: Int?
        /// Creation order (TinyEngine's allocator index).
        public var index: Int
        /// The tensor it holds, for messages.
        public var name: String?
    }

    /// TinyEngine's default `memory_limit`: 10 MiB.
    public static let defaultLimit = 10 * 1024 * 1024

    public private(set) var rectangles: [Rectangle] = []
    public let limit: Int

    public init(limit: Int = TinyEngineAllocator.defaultLimit) { self.limit = limit }

    /// Adds a rectangle; returns its index.
    @discardableResult
    public mutating func add(start: Int, end: Int, bytes: Int, name: String? = nil) -> Int {
        rectangles.append(Rectangle(start: start, end: end, bytes: bytes, stride2InplaceLayer: nil, placement: nil, index: rectangles.count, name: name))
        return rectangles.count - 1
    }

    mutating func markStride2Inplace(rectangle: Int, layer: Int) {
        rectangles[rectangle].stride2InplaceLayer = layer
    }

    /// Places every rectangle; `false` when one does not fit under the limit.
    public mutating func allocate() -> Bool {
        // Decreasing size; among equal sizes the earlier first.
        var remaining = rectangles
        var sorted: [Rectangle] = []
        while !remaining.isEmpty {
            var best = 0
            for (i, rect) in remaining.enumerated() where rect.bytes > remaining[best].bytes { best = i }
            sorted.append(remaining.remove(at: best))
        }
        rectangles = sorted
        // What `fit` reads of each placed rectangle, in placement order (the
        // order TinyEngine walks them), without the names.
        var placed: [Placed] = []
        placed.reserveCapacity(rectangles.count)
        for i in rectangles.indices {
            let rect = rectangles[i]
            guard let address = fit(start: rect.start, end: rect.end, bytes: rect.bytes, placed: placed) else { return false }
            rectangles[i].placement = address
            placed.append(Placed(start: rect.start, end: rect.end, bytes: rect.bytes, stride2: rect.stride2InplaceLayer ?? Int.max, low: address))
        }
        return true
    }

    private struct Placed {
        var start: Int, end: Int, bytes: Int
        /// The stride-2 in-place layer, `Int.max` for none.
        var stride2: Int
        var low: Int
    }

    /// The arena: the highest placed end address.
    public var arenaBytes: Int {
        rectangles.reduce(0) { max($0, ($1.placement ?? 0) + $1.bytes) }
    }

    private static func lifetimesOverlap(_ start: Int, _ end: Int, _ other: Placed) -> Bool {
        (start < other.start && other.start < end) || (start < other.end && other.end < end)
            || (other.start < start && start < other.end) || (other.start < end && end < other.end)
    }

    private func fit(start: Int, end: Int, bytes: Int, placed: [Placed]) -> Int? {
        var slots: [(low: Int, high: Int)] = [(0, limit)]
        for other in placed {
            guard Self.lifetimesOverlap(start, end, other) else { continue }
            let low = other.low
            let high = start > other.stride2 ? low + (other.bytes + 3) / 4 : low + other.bytes
            var k = 0
            while k < slots.count {
                let slot = slots[k]
                let touches = (slot.low <= low && low <= slot.high) || (slot.low <= high && high <= slot.high)
                    || (low <= slot.low && slot.low <= high) || (low <= slot.high && slot.high <= high)
                if touches {
                    if slot.high > high { slots.append((high, slot.high)) }
                    if slot.low < low { slots.append((slot.low, low)) }
                    slots.remove(at: k)
                }
                k += 1
            }
        }
        var best: Int?
        for slot in slots where slot.high - slot.low >= bytes {
            if best.map({ slot.low < $0 }) ?? (slot.low < Int(Int32.max)) { best = slot.low }
        }
        return best
    }
}
