import PatchTopModel

/// A stream buffer (StreamNet, NeurIPS 2023): part of a stage tensor that
/// one patch computed and the next needs again, kept instead of recomputed.
///
/// Patches run in raster order. A **column** cache keeps the columns of a
/// patch's region that the next patch in the same row also needs (the
/// overlap columns, over the region's rows); a **row** cache keeps the rows
/// the patch below needs, across the whole width, from one patch row to
/// the next. The op that writes the tensor then computes only the part of
/// its region no cache holds; with every stage tensor cached both ways the
/// stage computes each position once. Caches live in the arena for the
/// whole stage (they carry data across patches).
public struct HaloCache: Hashable, Comparable, Sendable {
    public enum Direction: String, Hashable, Comparable, Sendable, CaseIterable {
        case column, row
        public static func < (a: Direction, b: Direction) -> Bool { a.rawValue < b.rawValue }
    }

    public var tensor: Int
    public var direction: Direction

    public init(tensor: Int, direction: Direction) {
        self.tensor = tensor
        self.direction = direction
    }

    public static func < (a: HaloCache, b: HaloCache) -> Bool { (a.tensor, a.direction) < (b.tensor, b.direction) }
}

extension HaloCache {
    /// The choices a key cycles: none → auto → all.
    public enum Mode: String, Equatable, Hashable, Sendable, CaseIterable {
        case none, auto, all

        /// The caching of a plan in this mode, `auto` within `budget` bytes
        /// when given (else the peak without caches + 25%).
        public func caching(budget: Int?) -> HaloCaching {
            switch self {
            case .none: .none
            case .auto: .auto(budget: budget)
            case .all: .all
            }
        }

        public var next: Mode { Mode.allCases[(Mode.allCases.firstIndex(of: self)! + 1) % Mode.allCases.count] }
    }
}

/// Which halo caches a plan uses (`--halo-cache`).
public enum HaloCaching: Equatable, Hashable, Sendable {
    /// Plain patch-based inference: every overlap recomputed.
    case none
    /// Every stage tensor cached in both directions: no recompute.
    case all
    /// Per tensor and direction, the caches that remove the most recompute
    /// while the peak stays within `budget` bytes (without one: the peak
    /// without caches + 25%).
    case auto(budget: Int?)
    /// Every stage tensor cached in one direction only.
    case only(HaloCache.Direction)

    /// `none`, `all`, `auto`, `columns`, `rows`.
    public var name: String {
        switch self {
        case .none: "none"
        case .all: "all"
        case .auto: "auto"
        case .only(.column): "columns"
        case .only(.row): "rows"
        }
    }
}

/// One copy between a tensor's per-patch buffer and one of its caches:
/// rows × cols (all channels) of the tensor, with the cache holding
/// `cacheRegion` of the tensor (laid out row-major over it).
public struct CacheCopy: Equatable, Sendable {
    public var cache: HaloCache
    public var rows: Range<Int>
    public var cols: Range<Int>
    public var cacheRegion: Region
}

/// The per-patch geometry of one stage tensor: its region's rows in each
/// patch row and columns in each patch column (regions are separable,
/// since every stage op maps rows and columns independently).
struct TensorBands {
    var rows: [Range<Int>]
    var cols: [Range<Int>]

    /// `nil` when some tile row or column does not need the tensor, or the
    /// bands do not move forward with the tiles (nothing then to cache).
    init?(rows: [Range<Int>?], cols: [Range<Int>?]) {
        var rowBands: [Range<Int>] = [], colBands: [Range<Int>] = []
        for r in rows {
            guard let r, !r.isEmpty else { return nil }
            rowBands.append(r)
        }
        for c in cols {
            guard let c, !c.isEmpty else { return nil }
            colBands.append(c)
        }
        for k in rowBands.indices.dropFirst() {
            guard rowBands[k].lowerBound >= rowBands[k - 1].lowerBound, rowBands[k].upperBound >= rowBands[k - 1].upperBound else { return nil }
        }
        for k in colBands.indices.dropFirst() {
            guard colBands[k].lowerBound >= colBands[k - 1].lowerBound, colBands[k].upperBound >= colBands[k - 1].upperBound else { return nil }
        }
        self.rows = rowBands
        self.cols = colBands
    }

    var width: Int { (cols.last?.upperBound ?? 0) - (cols.first?.lowerBound ?? 0) }

    /// Positions (rows × cols) one cache of this tensor must hold.
    func cachedPositions(_ direction: HaloCache.Direction) -> Int {
        switch direction {
        case .column:
            let p = cols.count
            guard p > 1 else { return 0 }
            let overlap = (0..<(p - 1)).map { max(0, cols[$0].upperBound - cols[$0 + 1].lowerBound) }.max() ?? 0
            return overlap == 0 ? 0 : overlap * (rows.map(\.count).max() ?? 0)
        case .row:
            let p = rows.count
            guard p > 1 else { return 0 }
            let overlap = (0..<(p - 1)).map { max(0, rows[$0].upperBound - rows[$0 + 1].lowerBound) }.max() ?? 0
            return overlap * width
        }
    }

    /// The part of patch (i, j)'s region its op computes when `column` /
    /// `row` caches hold the rest.
    func computed(i: Int, j: Int, column: Bool, row: Bool) -> Region {
        let r = rows[i], c = cols[j]
        let rowStart = row && i > 0 ? min(max(r.lowerBound, rows[i - 1].upperBound), r.upperBound) : r.lowerBound
        let colStart = column && j > 0 ? min(max(c.lowerBound, cols[j - 1].upperBound), c.upperBound) : c.lowerBound
        return Region(rows: rowStart..<r.upperBound, cols: colStart..<c.upperBound)
    }

    /// The copies out of the caches into patch (i, j)'s buffer before its
    /// op runs, and into the caches after.
    func copies(tensor: Int, i: Int, j: Int, column: Bool, row: Bool) -> (reads: [CacheCopy], writes: [CacheCopy]) {
        let r = rows[i], c = cols[j]
        let left = cols.first?.lowerBound ?? 0
        var reads: [CacheCopy] = [], writes: [CacheCopy] = []
        let columnCache = HaloCache(tensor: tensor, direction: .column), rowCache = HaloCache(tensor: tensor, direction: .row)
        var fromRowCache = c
        if column && j > 0 {
            let overlap = c.lowerBound..<max(c.lowerBound, min(cols[j - 1].upperBound, c.upperBound))
            if !overlap.isEmpty {
                reads.append(CacheCopy(cache: columnCache, rows: r, cols: overlap, cacheRegion: Region(rows: r, cols: overlap)))
                fromRowCache = overlap.upperBound..<c.upperBound
            }
        }
        if row && i > 0 {
            let above = r.lowerBound..<max(r.lowerBound, min(rows[i - 1].upperBound, r.upperBound))
            let region = Region(rows: above, cols: left..<(left + width))
            if !above.isEmpty && !fromRowCache.isEmpty {
                reads.append(CacheCopy(cache: rowCache, rows: above, cols: fromRowCache, cacheRegion: region))
            }
        }
        if column && j < cols.count - 1 {
            let overlap = cols[j + 1].lowerBound..<max(cols[j + 1].lowerBound, c.upperBound)
            if !overlap.isEmpty {
                writes.append(CacheCopy(cache: columnCache, rows: r, cols: overlap, cacheRegion: Region(rows: r, cols: overlap)))
            }
        }
        if row && i < rows.count - 1 {
            let below = rows[i + 1].lowerBound..<max(rows[i + 1].lowerBound, r.upperBound)
            // Each patch writes only the columns up to where the next patch
            // in its row begins: the rest of its region the next patch still
            // has to read from the previous patch row's rows.
            let end = j < cols.count - 1 ? min(cols[j + 1].lowerBound, c.upperBound) : c.upperBound
            let span = c.lowerBound..<max(c.lowerBound, end)
            if !below.isEmpty && !span.isEmpty {
                writes.append(CacheCopy(cache: rowCache, rows: below, cols: span,
                                        cacheRegion: Region(rows: below, cols: left..<(left + width))))
            }
        }
        return (reads, writes)
    }
}
