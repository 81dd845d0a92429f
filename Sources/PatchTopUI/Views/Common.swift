import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// First row to show so that `selected` is visible in a window of `visible` rows.
func scrollOffset(selected: Int, count: Int, visible: Int) -> Int {
    guard visible > 0, count > visible else { return 0 }
    return max(0, min(count - visible, selected - visible / 2))
}

func kib(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }

/// The first row to show: `top` as it was, moved only as far as needed to
/// keep `selected` in a window of `visible` rows. A click therefore never
/// scrolls the row it selected away from under the pointer.
func scrollWindow(top: Int, selected: Int, count: Int, visible: Int) -> Int {
    guard visible > 0, count > visible else { return 0 }
    var first = top
    if selected < first { first = selected }
    if selected >= first + visible { first = selected - visible + 1 }
    return max(0, min(count - visible, first))
}
