import PatchTopModel
import PatchTopPlan

/// Why the peak is as high as it is, beyond the list of buffers: which of
/// them are float32 (4 bytes an element) and what removes them, and where
/// the model itself sets a floor no p or n goes below.
public enum PeakCause {
    /// `float32` for a float model, `float32 I/O` for an int8 model with a
    /// float input or output (a QUANTIZE / DEQUANTIZE at its edge), else `nil`.
    public static func floatTag(_ model: Model) -> String? {
        let ops = model.operators
        guard !ops.isEmpty else { return nil }
        let floatOutputs = ops.filter { model.tensors[$0.output].type == .float32 }.count
        if floatOutputs * 2 > ops.count { return "float32" }
        let edges = model.inputs + model.outputs
        return edges.contains { model.tensors.indices.contains($0) && model.tensors[$0].type == .float32 } ? "float32 I/O" : nil
    }

    /// One line per float32 tensor live at the peak: what it is and what
    /// removes it (`--int8-io`, `--stream-input`, both reached with `m`).
    public static func floatNotes(_ plan: PatchPlan) -> [String] {
        let model = plan.model
        var out: [String] = []
        var seen = Set<Int>()
        var inner = false
        for buffer in plan.peakBuffers {
            guard let t = buffer.kind.tensor, model.tensors.indices.contains(t), model.tensors[t].type == .float32, seen.insert(t).inserted else { continue }
            if !model.inputs.contains(t), !model.outputs.contains(t) {
                // A float model: one line for all of its tensors.
                if !inner { out.append("float32 model: its activations take 4 B an element; an int8 model needs a quarter") }
                inner = true
                continue
            }
            if model.inputs.contains(t) {
                let removers = [plan.options.int8IO ? nil : "--int8-io", plan.options.streamInput ? nil : "--stream-input"].compactMap { $0 }
                out.append("t\(t) is the float32 graph input (4 B an element)" + (removers.isEmpty ? "" : ": \(removers.joined(separator: " or ")) removes it (m)"))
            } else if model.outputs.contains(t) {
                out.append("t\(t) is a float32 graph output (4 B an element)" + (plan.options.int8IO ? "" : ": --int8-io removes it (m)"))
            }
        }
        return out
    }

    /// When the plan is at the smallest peak any plan of the sweep reaches:
    /// that no p or n goes lower, and why, e.g. `no p or n goes lower: op 16
    /// (MUL) runs after every patch stage, and n stops at 14: n=15 crosses
    /// MEAN at op 14, which cannot be computed patch by patch`.
    public static func floor(_ state: AppState) -> String? {
        guard let data = state.pareto, data.options == state.options, let lowest = data.points.map(\.peakBytes).min(),
              state.plan.caches.isEmpty, state.plan.peakBytes <= lowest else { return nil }
        let plan = state.plan, model = state.model
        let maxN = data.maxPatchLayers
        let op = plan.peakOp
        let name = model.operators.indices.contains(op) ? model.operators[op].kind.name : "-"
        var cap = ""
        if maxN < model.operators.count {
            do {
                _ = try PatchPlan(model: model, patches: 2, patchLayers: maxN + 1, options: state.options)
            } catch {
                cap = "; n stops at \(maxN): \(error.description)"
            }
        }
        if op >= maxN { return "no p or n goes lower: op \(op) (\(name)) runs after every patch stage\(cap)" }
        let whole = plan.peakBuffers.filter { if case .tensor = $0.kind { true } else { false } }.max { $0.bytes < $1.bytes }
        let held = whole.flatMap(\.kind.tensor).map { t in
            ", where t\(t) (\(kib(model.tensors[t].byteCount)) KiB\(model.tensors[t].type == .float32 ? " float32" : "")) is held whole"
        } ?? ""
        return "no p or n goes lower: the peak is in the patch stage (op \(op))\(held)\(cap)"
    }

    /// `text` in lines of at most `width` cells, broken between words (a
    /// word longer than a line is shortened, never cut by the clip).
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 1 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let next = line.isEmpty ? String(word) : line + " " + word
            if next.count <= width { line = next; continue }
            if !line.isEmpty { lines.append(line) }
            line = word.count <= width ? String(word) : TextFit.words(String(word), width: width)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
