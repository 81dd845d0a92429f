/// A rectangle of a feature map's height × width: rows `rows`, columns
/// `cols`, all channels. Patches, receptive fields and per-patch buffers
/// are all regions.
public struct Region: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rows: Range<Int>
    public var cols: Range<Int>

    public init(rows: Range<Int>, cols: Range<Int>) {
        self.rows = rows
        self.cols = cols
    }

    public var height: Int { rows.count }
    public var width: Int { cols.count }
    public var area: Int { rows.count * cols.count }
    public var isEmpty: Bool { rows.isEmpty || cols.isEmpty }

    /// The smallest region holding both: a per-patch buffer must be one
    /// rectangle, so where two consumers need different parts of a tensor it
    /// holds their bounding box.
    public func union(_ other: Region) -> Region {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return Region(rows: min(rows.lowerBound, other.rows.lowerBound)..<max(rows.upperBound, other.rows.upperBound),
                      cols: min(cols.lowerBound, other.cols.lowerBound)..<max(cols.upperBound, other.cols.upperBound))
    }

    public func contains(row: Int, col: Int) -> Bool { rows.contains(row) && cols.contains(col) }

    /// Whether the two share a position.
    public func overlaps(_ other: Region) -> Bool { rows.overlaps(other.rows) && cols.overlaps(other.cols) }

    /// `rows 0..<38, cols 0..<38`
    public var description: String {
        "rows \(rows.lowerBound)..<\(rows.upperBound), cols \(cols.lowerBound)..<\(cols.upperBound)"
    }
}
