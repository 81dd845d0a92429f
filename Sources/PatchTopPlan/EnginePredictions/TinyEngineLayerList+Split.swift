/// TinyEngine's `split_index` (layers of its list in the patch stage) and
/// PatchTop's n (TFLite ops in the patch stage), both ways, so a user can
/// paste PatchTop's choice into TinyEngine's script and back.
extension TinyEngineLayerList {
    /// The n that puts exactly TinyEngine's layers `0..<splitIndex` in the
    /// stage: the first TFLite op of layer `splitIndex` (its folded PAD, if
    /// any). 0 is layer by layer.
    public func patchLayers(forSplitIndex splitIndex: Int) throws(TinyEngineUnavailable) -> Int {
        if splitIndex == 0 { return 0 }
        guard splitIndex >= 1, splitIndex < layers.count else {
            throw TinyEngineUnavailable("split_index \(splitIndex) is out of range: TinyEngine's layer list of \(model.name) has \(layers.count) layers, so 1…\(layers.count - 1) (0 is layer by layer)")
        }
        return firstOp(ofLayer: splitIndex)
    }

    /// The split index whose stage is PatchTop's first `patchLayers` ops
    /// (0 for layer by layer), or why none is.
    public func splitIndex(forPatchLayers n: Int) -> Result<Int, TinyEngineUnavailable> {
        let opCount = model.operators.count
        if n == 0 { return .success(0) }
        guard n > 0, n <= opCount else {
            return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n): the model has \(opCount) ops"))
        }
        if let s = layers.indices.first(where: { firstOp(ofLayer: $0) == n }) {
            if s > 0 { return .success(s) }
            return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n) because its stage holds only \(describe(0..<n)), which TinyEngine skips: it would have no layer to run patch by patch"))
        }
        if let s = layers.indices.first(where: { layers[$0].ops.first.map { $0 < n } == true && layers[$0].ops.last.map { n <= $0 } == true }),
           let first = layers[s].ops.first, let last = layers[s].ops.last {
            let ops = layers[s].ops.map { model.operators[$0].kind.name }.joined(separator: " + ")
            var nearest = "split_index \(s) is n = \(firstOp(ofLayer: s))"
            if s + 1 < layers.count { nearest += ", split_index \(s + 1) is n = \(firstOp(ofLayer: s + 1))" }
            return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n) because it cuts TinyEngine's layer \(s) (\(ops), ops \(first)…\(last)) in two; \(nearest)"))
        }
        guard let last = layers.indices.last else {
            return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n) because TinyEngine's layer list of \(model.name) is empty: it skips every op (\(describe(0..<opCount)))"))
        }
        guard let next = layers.indices.first(where: { firstOp(ofLayer: $0) > n }) else {
            return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n) because TinyEngine needs a layer after the split: its last layer (\(layers[last].label)) starts at op \(firstOp(ofLayer: last)), split_index \(last)"))
        }
        let skipped = describe(n..<firstOp(ofLayer: next))
        let same = next > 0 ? "; the same stage is split_index \(next), n = \(firstOp(ofLayer: next))" : ""
        return .failure(TinyEngineUnavailable("no split index corresponds to n = \(n) because the ops from \(n) on before TinyEngine's next layer (\(skipped)) are ones it skips\(same)"))
    }

    /// `QUANTIZE at op 0`, `RESHAPE at op 61, DEQUANTIZE at op 62`.
    private func describe(_ ops: Range<Int>) -> String {
        ops.map { "\(model.operators[$0].kind.name) at op \($0)" }.joined(separator: ", ")
    }
}
