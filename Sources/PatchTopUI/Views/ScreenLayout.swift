/// Where everything goes on one frame, computed once from the state and
/// used both to draw and to hit-test the mouse, so a click always lands on
/// what was drawn under it.
public struct ScreenLayout: Equatable, Sendable {
    public var panes: Screen.Panes
    public var sliders: SlidersView.Geometry
    public var layerRows: RowWindow
    /// Empty when the memory chart is not shown.
    public var memoryRows: RowWindow
    public var patchGrid: PatchGridView.Geometry?
    public var pareto: ParetoView.Geometry?

    /// What is under (x, y), most specific first.
    public func hit(x: Int, y: Int) -> HitTarget? {
        if y == sliders.y {
            if sliders.stage != nil {
                if sliders.patchesBar.contains(x) { return .tileRows(sliders.value(at: x, bar: sliders.patchesBar, range: sliders.patchesRange)) }
                if sliders.layersBar.contains(x) { return .tileCols(sliders.value(at: x, bar: sliders.layersBar, range: sliders.layersRange)) }
                return nil
            }
            if sliders.patchesBar.contains(x) { return .patches(sliders.value(at: x, bar: sliders.patchesBar, range: sliders.patchesRange)) }
            if sliders.layersBar.contains(x) { return .patchLayers(sliders.value(at: x, bar: sliders.layersBar, range: sliders.layersRange)) }
            return nil
        }
        if let layer = layerRows.layer(atRow: y, column: x) { return .layer(layer, .layers) }
        if let layer = memoryRows.layer(atRow: y, column: x) { return .layer(layer, .memory) }
        if let patch = patchGrid?.patch(atX: x, y: y) { return .patch(patch) }
        if let plan = pareto?.plan(atX: x, y: y) { return .paretoPlan(plan) }
        func inside(_ r: Rect) -> Bool { x >= r.x && x < r.maxX && y >= r.y && y < r.maxY }
        if inside(panes.layers) { return .panel(.layers) }
        if inside(panes.memory) { return .panel(.memory) }
        if inside(panes.grid) { return .panel(.grid) }
        return nil
    }
}
