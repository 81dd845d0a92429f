/// What a mouse press at a cell means.
public enum HitTarget: Equatable, Sendable {
    /// A cell of the p or n slider bar: that value.
    case patches(Int)
    case patchLayers(Int)
    /// A cell of the selected stage's tile rows or columns bar (a plan of
    /// stages): that many.
    case tileRows(Int)
    case tileCols(Int)
    /// A row of the layer table or the memory chart.
    case layer(Int, Panel)
    /// A tile of the patch grid.
    case patch(Int)
    /// A plan of the Pareto front, by its index in the front.
    case paretoPlan(Int)
    /// Elsewhere inside a panel.
    case panel(Panel)
}
