/// TFLite Micro's greedy memory planner (`GreedyMemoryPlanner`), rule for
/// rule, so that PatchTop lays out the head exactly as TFLite Micro does.
///
/// Example: buffers A (16 bytes, steps 1–2), B (32 bytes, steps 2–3) and C
/// (16 bytes, step 3), added in that order, are placed largest first: B at
/// 0; then C (of the two 16-byte buffers, the one added last), which
/// overlaps B in time, after it at 32; then A, which overlaps B but not C,
/// also at 32. The head is 48 bytes.
///
/// The rules that make it differ from a plain first fit:
/// - Buffers are ordered by decreasing size with a stable bubble sort of a
///   list that starts in *reverse* order of addition, so among buffers of
///   equal size the one added last is placed first.
/// - Each buffer goes into the first gap, in offset order, between buffers
///   that overlap it in time and are already placed; a gap is measured from
///   the highest end seen so far, so a large earlier buffer closes the gaps
///   below its end.
/// - Lifetimes are inclusive at both ends: a buffer used last at step 3
///   overlaps one created at step 3.
struct TFLiteMicroGreedyPlanner {
    struct Buffer: Equatable, Sendable {
        /// Bytes, already rounded up to TFLite Micro's 16-byte alignment.
        var size: Int
        var firstUsed: Int
        var lastUsed: Int
    }

    /// The buffers in the order they were added.
    let buffers: [Buffer]
    /// Each buffer's offset from the start of the head.
    let offsets: [Int]
    /// The head the plan needs: the highest end of any buffer.
    let headBytes: Int
    /// The most bytes live at one step: what any planner needs at least,
    /// so `headBytes` minus it is what the greedy placement loses to gaps.
    var liveBytes: Int {
        let steps = Set(buffers.flatMap { [$0.firstUsed, $0.lastUsed] })
        return steps.map { step in
            buffers.reduce(0) { $0 + ($1.firstUsed <= step && step <= $1.lastUsed ? $1.size : 0) }
        }.max() ?? 0
    }

    init(buffers: [Buffer]) {
        self.buffers = buffers
        guard !buffers.isEmpty else {
            offsets = []
            headBytes = 0
            return
        }
        // Online buffers are written into the sort list from its end.
        var sizes = buffers.reversed().map(\.size)
        var ids = Array(buffers.indices.reversed())
        var swapped = true
        while swapped {
            swapped = false
            for i in 1..<max(sizes.count, 1) where sizes[i - 1] < sizes[i] {
                sizes.swapAt(i - 1, i)
                ids.swapAt(i - 1, i)
                swapped = true
            }
        }

        // Placed buffers as a list ordered by offset (`next` links).
        struct Entry { var offset: Int; var buffer: Int; var next: Int? }
        var entries: [Entry] = [Entry(offset: 0, buffer: ids[0], next: nil)]
        var first = 0
        var offsets = [Int](repeating: -1, count: buffers.count)
        offsets[ids[0]] = 0

        func overlaps(_ entry: Entry, _ wanted: Buffer) -> Bool {
            let placed = buffers[entry.buffer]
            return placed.firstUsed <= wanted.lastUsed && wanted.firstUsed <= placed.lastUsed
        }
        /// The first entry after `start` (or from the list's start) that
        /// overlaps `wanted` in time.
        func nextActive(after start: Int?, _ wanted: Buffer) -> Int? {
            var candidate: Int? = start.map { entries[$0].next } ?? first
            while let index = candidate {
                if overlaps(entries[index], wanted) { return index }
                candidate = entries[index].next
            }
            return nil
        }

        for id in ids.dropFirst() {
            let wanted = buffers[id]
            var offset = 0
            var prior: Int?
            while true {
                let next = nextActive(after: prior, wanted)
                if let prior {
                    offset = max(offset, entries[prior].offset + buffers[entries[prior].buffer].size)
                }
                guard let next else { break }
                if entries[next].offset - offset >= wanted.size { break }
                prior = next
            }
            offsets[id] = offset
            entries.append(Entry(offset: offset, buffer: id, next: nil))
            let new = entries.count - 1
            if entries[first].offset > offset {
                entries[new].next = first
                first = new
            } else {
                var current = first
                while let next = entries[current].next, entries[next].offset <= offset {
                    current = next
                }
                entries[new].next = entries[current].next
                entries[current].next = new
            }
        }
        self.offsets = offsets
        headBytes = zip(buffers, offsets).map { $0.size + $1 }.max() ?? 0
    }
}
