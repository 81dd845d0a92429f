/// The part of an NHWC feature map that a buffer actually holds: rows
/// `[y, y + height)` and columns `[x, x + width)` of the full tensor, all
/// channels and batches.
///
/// Kernels take one for their input and one for their output so that the
/// patch executor can run them on a patch (a sub-rectangle) without copying;
/// for the layer-by-layer executor both are the whole tensor.
public struct Region2D: Equatable, Hashable, Sendable {
    public var y: Int
    public var x: Int
    public var height: Int
    public var width: Int

    init(y: Int = 0, x: Int = 0, height: Int, width: Int) {
        self.y = y
        self.x = x
        self.height = height
        self.width = width
    }

    /// Rows covered, in full-tensor coordinates.
    public var rows: Range<Int> { y..<(y + height) }
    /// Columns covered, in full-tensor coordinates.
    public var cols: Range<Int> { x..<(x + width) }

    /// Element offset of pixel (`row`, `col`) (full-tensor coordinates) of
    /// batch `batch` in a buffer with `channels` channels.
    @inlinable
    func offset(batch: Int, row: Int, col: Int, channels: Int) -> Int {
        ((batch * height + (row - y)) * width + (col - x)) * channels
    }
}
