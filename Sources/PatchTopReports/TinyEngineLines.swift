import PatchTopModel
import PatchTopPlan

/// The text lines `plan`, `analyze` and `report` print about TinyEngine: the
/// split index of the plan's n (or why none), and the PEAK_MEM TinyEngine's
/// code generator would reserve with where every byte goes.
public enum TinyEngineLines {
    public static func lines(model: Model, patches: Int, patchLayers: Int) -> [String] {
        let patched = patches > 1 && patchLayers > 0
        var out: [String] = []
        let list: TinyEngineLayerList
        do {
            list = try TinyEngineLayerList(model: model)
        } catch {
            return ["TinyEngine      unavailable: \(error.reason)"]
        }
        if patched {
            switch list.splitIndex(forPatchLayers: patchLayers) {
            case .success(let s): out.append("split index     \(s) (TinyEngine's split_index for n=\(patchLayers), of \(list.layers.count) layers)")
            case .failure(let why): out.append("split index     none: \(why.reason)")
            }
        } else {
            out.append("split index     0 (layer by layer; TinyEngine's list has \(list.layers.count) layers)")
        }
        switch TinyEngineEstimate.of(model: model, patches: patches, patchLayers: patchLayers) {
        case .failure(let why):
            if patched, case .failure = list.splitIndex(forPatchLayers: patchLayers) {
                out.append("TinyEngine      no PEAK_MEM for this plan (no split index)")
            } else {
                out.append("TinyEngine      unavailable: \(why.reason)")
            }
        case .success(let estimate):
            out += lines(estimate)
        }
        return out
    }

    /// PEAK_MEM, its three regions, the breakdown against the plan, held tensors and warnings.
    public static func lines(_ estimate: TinyEngineEstimate) -> [String] {
        let m = estimate.memory
        var out = [
            "TinyEngine      PEAK_MEM \(formatCount(m.peakMemBytes)) B (\(formatBytes(m.peakMemBytes))) = arena \(formatCount(m.arenaBytes)) + im2col \(formatCount(m.im2colBytes))\(at(m.im2colLayer)) + kernel buffer \(formatCount(m.kernelBufferBytes))\(at(m.kernelBufferLayer))",
        ]
        if let o = estimate.overheads {
            let sizing = o.sizingBytes >= 0 ? "+ its tensor sizes \(formatCount(o.sizingBytes))" : "− its tensor sizes \(formatCount(-o.sizingBytes))"
            out.append("  explained     this plan needs \(formatCount(o.planBytes)) \(sizing) + held past last use \(formatCount(o.heldPastLastUseBytes)) + allocator gaps \(formatCount(o.allocatorGapBytes)) + im2col \(formatCount(o.im2colBytes)) + kernel buffer \(formatCount(o.kernelBufferBytes))")
        }
        for held in m.heldTensors.sorted(by: { $0.bytes > $1.bytes }).prefix(3) {
            out.append("  held          tensor \(held.tensor.map(String.init) ?? held.name) (\(formatCount(held.bytes)) B) to layer \(held.heldUntilLayer), freeable after layer \(held.freeableAfterLayer): \(held.reason)")
        }
        if m.heldTensors.count > 3 { out.append("  held          … and \(m.heldTensors.count - 3) more") }
        for warning in estimate.warnings {
            out.append("  ! \(warning)")
        }
        return out
    }

    /// One short phrase for a status line: `TinyEngine PEAK_MEM 62,352 B
    /// (split_index 5)`, or why there is none (`TinyEngine: no split index
    /// for n=7`, `TinyEngine: unavailable (no SOFTMAX)`).
    public static func summary(model: Model, patches: Int, patchLayers: Int) -> String {
        switch TinyEngineEstimate.of(model: model, patches: patches, patchLayers: patchLayers) {
        case .success(let estimate):
            let split = estimate.splitIndex.map { "split_index \($0)" } ?? "layer by layer"
            return "TinyEngine PEAK_MEM \(formatCount(estimate.memory.peakMemBytes)) B (\(split))\(estimate.warnings.isEmpty ? "" : ", \(estimate.warnings.count) warning\(estimate.warnings.count == 1 ? "" : "s")")"
        case .failure(let why):
            if why.reason.hasPrefix("no split index") { return "TinyEngine: no split index for n=\(patchLayers)" }
            if let range = why.reason.range(of: "has no "), let end = why.reason[range.upperBound...].firstIndex(of: " ") {
                return "TinyEngine: unavailable (no \(why.reason[range.upperBound..<end]))"
            }
            return "TinyEngine: unavailable"
        }
    }

    /// ` (layer 4)`: the TinyEngine layer that needs the largest buffer.
    private static func at(_ layer: Int?) -> String { layer.map { " (layer \($0))" } ?? "" }
}
