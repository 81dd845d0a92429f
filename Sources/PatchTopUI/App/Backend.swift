/// Where the app's frames go and its input comes from: the ncurses
/// terminal, or a headless screen for `report --run` and the tests. The
/// loop (`AppLoop`) is the same for all of them.
public protocol Backend: AnyObject {
    /// The screen's size now.
    var size: (width: Int, height: Int) { get }
    /// Shows one frame.
    func draw(_ grid: CellGrid)
    /// The next input event, after waiting briefly (a few tens of
    /// milliseconds) for one; `nil` when there was none.
    func nextMessage() -> Message?
}
