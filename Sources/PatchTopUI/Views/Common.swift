import PatchTopModel
import PatchTopPlan

/// First row to show so that `selected` is visible in a window of `visible` rows.
func scrollOffset(selected: Int, count: Int, visible: Int) -> Int {
    guard visible > 0, count > visible else { return 0 }
    return max(0, min(count - visible, selected - visible / 2))
}

func kib(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }
