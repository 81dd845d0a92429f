import PatchTopPlan

/// The words every view and report uses to compare a plan with layer by
/// layer and with the SRAM budget, so none can say "0.77× lower" for a
/// higher peak or stay silent about a budget it breaks.
public enum Verdicts {
    /// `2.50× lower`, `1.30× higher`, `same as layer by layer`, or
    /// `layer by layer` when the plan is not patched at all.
    public static func peak(_ plan: PatchPlan) -> String {
        peak(planBytes: plan.peakBytes, layerByLayerBytes: plan.layerByLayerPeakBytes, patched: plan.isPatched)
    }

    public static func peak(planBytes: Int, layerByLayerBytes: Int, patched: Bool) -> String {
        guard patched else { return "layer by layer" }
        if planBytes == layerByLayerBytes { return "same as layer by layer" }
        if planBytes < layerByLayerBytes, planBytes > 0 {
            return "\(formatFixed(Double(layerByLayerBytes) / Double(planBytes), decimals: 2))× lower"
        }
        guard layerByLayerBytes > 0 else { return "higher" }
        return "\(formatFixed(Double(planBytes) / Double(layerByLayerBytes), decimals: 2))× higher"
    }

    /// Whether `bytes` fits the budget, and the words: `fits, 42.1 KiB free`
    /// or `over by 75.8 KiB`.
    public static func budget(_ bytes: Int, _ budget: SRAMBudget) -> (fits: Bool, text: String) {
        if bytes <= budget.bytes { return (true, "fits, \(kib(budget.bytes - bytes)) KiB free") }
        return (false, "over by \(kib(bytes - budget.bytes)) KiB")
    }

    /// The short form for narrow places: `fits +42.1` / `over +75.8` (KiB).
    public static func budgetShort(_ bytes: Int, _ budget: SRAMBudget) -> String {
        bytes <= budget.bytes ? "fits (\(kib(budget.bytes - bytes)) free)" : "over by \(kib(bytes - budget.bytes))"
    }
}

/// `42.1` (KiB, one decimal), as the budget verdicts print it.
private func kib(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }
