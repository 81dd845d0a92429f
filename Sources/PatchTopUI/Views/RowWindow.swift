/// The rows of a table a panel shows: `count` rows from layer `first`, the first drawn at `y`.
public struct RowWindow: Equatable, Sendable {
    public var x: Range<Int>
    public var y: Int
    public var first: Int
    public var count: Int

    public init(x: Range<Int>, y: Int, first: Int, count: Int) {
        self.x = x
        self.y = y
        self.first = first
        self.count = count
    }

    /// The layer drawn at screen row `row`, if any.
    public func layer(atRow row: Int, column: Int) -> Int? {
        guard x.contains(column), row >= y, row < y + count else { return nil }
        return first + (row - y)
    }
}
