import PatchTopModel

/// What TinyEngine's code generator reserves for a model and a plan: its
/// `#define PEAK_MEM`, three static regions one after another — the
/// activation arena its allocator lays out, the largest im2col buffer
/// (`sbuf`) and the largest kernel buffer (`kbuf`).
///
/// Computed by doing what its scheduler does: resize the patch stage's
/// tensors for one patch (input = the receptive field of an output patch,
/// unpadded convs), rename the stage output so it is held from the start,
/// alias every depthwise conv's output to its input (in place), give each
/// tensor a lifetime from the layer that first names it to the layer after
/// its last reader (to the end when nothing reads it), and place the
/// rectangles with `TinyEngineAllocator`.
public struct TinyEngineMemory: Sendable {
    /// A tensor TinyEngine keeps after its last reader.
    public struct HeldTensor: Equatable, Sendable {
        /// TinyEngine's name for it: the TFLite tensor index, with a suffix
        /// for the stage output of a patch plan.
        public var name: String
        /// The TFLite tensor it stands for.
        public var tensor: Int? { Int(name.prefix { $0.isNumber }) }
        public var bytes: Int
        /// The layer after which it could have been freed, and where TinyEngine frees it.
        public var freeableAfterLayer: Int
        public var heldUntilLayer: Int
        public var reason: String
    }

    public let patches: Int
    /// `nil` for layer-by-layer.
    public let splitIndex: Int?
    public let peakMemBytes: Int
    public let arenaBytes: Int
    public let im2colBytes: Int
    public let kernelBufferBytes: Int
    /// The layers whose im2col and kernel buffers are the largest.
    public let im2colLayer: Int?
    public let kernelBufferLayer: Int?
    /// The most bytes live at once under TinyEngine's own lifetimes and sizes.
    public let livenessBytes: Int
    /// The same with every tensor freed after its last reader (graph outputs held).
    public let tightLivenessBytes: Int
    public let heldTensors: [HeldTensor]
    /// Height × width of one patch's input in TinyEngine's stage (its
    /// receptive field of an output patch), `nil` for layer-by-layer.
    public let patchInput: (height: Int, width: Int)?
    /// Where TinyEngine's own result is wrong for this plan, in words.
    public let warnings: [String]
    /// The placed rectangles, for tests and the curious.
    public let rectangles: [TinyEngineAllocator.Rectangle]

    /// TinyEngine's figures for `patches` × `patches` patches split at layer
    /// `splitIndex` (`nil`, 0, or `patches` ≤ 1: layer by layer).
    public init(layers list: TinyEngineLayerList, patches: Int, splitIndex: Int?) throws(TinyEngineUnavailable) {
        var layers = list.layers
        let count = layers.count
        guard count > 0 else { throw TinyEngineUnavailable("TinyEngine's layer list of \(list.model.name) is empty") }
        var split = 0
        if let splitIndex, patches > 1 {
            guard splitIndex >= 0 else {
                throw TinyEngineUnavailable("split_index \(splitIndex) is negative: TinyEngine's split indices start at 1 (0 is layer by layer)")
            }
            split = splitIndex
        }
        self.patches = split > 0 ? patches : 1
        self.splitIndex = split > 0 ? split : nil
        var warnings: [String] = []
        var stageStart = false

        if split > 0 {
            guard split < count else {
                throw TinyEngineUnavailable("split_index \(split) is out of range: TinyEngine's layer list of \(list.model.name) has \(count) layers, so 1…\(count - 1)")
            }
            let resized = try Self.resizeStage(&layers, patches: patches, split: split)
            patchInput = resized.patchInput
            warnings = resized.warnings
            stageStart = true
        } else {
            patchInput = nil
        }

        // In place: a depthwise conv's output is its input's buffer.
        for i in layers.indices where layers[i].kind == .depthwise {
            let previous = layers[i].output.name
            let input = layers[i].inputs[0].name
            layers[i].output.name = input
            for j in i..<count {
                for k in layers[j].inputs.indices where layers[j].inputs[k].name == previous { layers[j].inputs[k].name = input }
            }
        }

        // Lifetimes, in the order TinyEngine meets tensors. Names are matched
        // as numbers: the same name, the same number.
        var ids: [String: Int] = [:]
        func id(_ name: String) -> Int {
            if let known = ids[name] { return known }
            ids[name] = ids.count
            return ids.count - 1
        }
        let inputIDs = layers.map { $0.inputs.map { id($0.name) } }
        let outputIDs = layers.map { id($0.output.name) }
        var readers = [[Int]](repeating: [], count: ids.count)
        for (j, inputs) in inputIDs.enumerated() { for t in Set(inputs) { readers[t].append(j) } }
        let outputIDSet = Set(list.outputNames.compactMap { ids[$0] })

        var allocator = TinyEngineAllocator()
        var inputRect = layers.map { $0.inputs.map { _ -> Int? in nil } }
        var outputRect = [Int?](repeating: nil, count: count)
        var tightEnds: [Int] = []
        var held: [HeldTensor] = []
        for i in 0..<count {
            var pending: [(tensor: TinyEngineTensor, id: Int, inputSlot: Int?)] = []
            for (k, t) in layers[i].inputs.enumerated() where inputRect[i][k] == nil { pending.append((t, inputIDs[i][k], k)) }
            if outputRect[i] == nil { pending.append((layers[i].output, outputIDs[i], nil)) }
            for (t, tid, inputSlot) in pending {
                let isInput = inputSlot != nil
                var start = i
                var end = i == 0 ? 1 : count
                let lastReader = readers[tid].last { $0 > i }
                if let lastReader { end = lastReader + 1 }
                if stageStart && i == split && isInput { start = 0 }
                let rect = allocator.add(start: start, end: end, bytes: t.bytes, name: t.name)
                let tightEnd = lastReader.map { $0 + 1 } ?? (outputIDSet.contains(tid) ? count : i + 1)
                tightEnds.append(tightEnd)
                if tightEnd < end {
                    let why: String
                    if stageStart && i == split && isInput {
                        why = "the stage output: TinyEngine holds it from the first layer to the end"
                    } else if stageStart && i == split - 1 && !isInput {
                        why = "the last stage layer's output (per patch, or whole for an ADD): TinyEngine never frees it"
                    } else {
                        why = "nothing reads it after layer \(tightEnd - 1): TinyEngine frees only what a later layer reads"
                    }
                    held.append(HeldTensor(name: t.name, bytes: t.bytes, freeableAfterLayer: tightEnd - 1, heldUntilLayer: end - 1, reason: why))
                }
                for j in readers[tid] where j > i {
                    for k in inputIDs[j].indices where inputIDs[j][k] == tid { inputRect[j][k] = rect }
                }
                for j in (i + 1)..<max(i + 1, count) where outputIDs[j] == tid { outputRect[j] = rect }
                if let k = inputSlot { inputRect[i][k] = rect } else { outputRect[i] = rect }
            }
        }
        for i in layers.indices where layers[i].kind == .depthwise && layers[i].strideHeight == 2 && layers[i].strideWidth == 2 {
            if let a = inputRect[i][0], a == outputRect[i] { allocator.markStride2Inplace(rectangle: a, layer: i) }
        }
        let unplaced = allocator.rectangles
        if let empty = unplaced.first(where: { $0.bytes <= 0 }) {
            throw TinyEngineUnavailable("TinyEngine's scheduler fails on this plan: a patch tensor would be empty (\(empty.bytes) bytes), as at p=\(patches), split_index \(split)")
        }
        guard allocator.allocate() else {
            throw TinyEngineUnavailable("TinyEngine's allocator cannot place the tensors of \(list.model.name) within its 10 MiB limit")
        }
        rectangles = allocator.rectangles
        arenaBytes = allocator.arenaBytes
        livenessBytes = Self.liveness(unplaced.map { ($0.start, $0.end, $0.bytes) }, layers: count)
        tightLivenessBytes = Self.liveness(zip(unplaced, tightEnds).map { ($0.start, $1, $0.bytes) }, layers: count)
        heldTensors = held

        var im2col = 0, kernel = 0
        var im2colAt: Int?, kernelAt: Int?
        for (i, layer) in layers.enumerated() {
            if layer.im2colBytes > im2col { im2col = layer.im2colBytes; im2colAt = i }
            if layer.kernelBufferBytes > kernel { kernel = layer.kernelBufferBytes; kernelAt = i }
        }
        im2colBytes = im2col
        kernelBufferBytes = kernel
        im2colLayer = im2colAt
        kernelBufferLayer = kernelAt
        peakMemBytes = arenaBytes + im2col + kernel

        if let overlap = Self.overlappingPlacements(rectangles) {
            warnings.append("TinyEngine's allocator places two tensors live at the same layers at overlapping addresses (\(overlap)): one overwrites the other unless the kernel copies its input away first (its equal-lifetime quirk)")
        }
        self.warnings = warnings
    }

    /// The largest sum of bytes live at one layer.
    static func liveness(_ spans: [(start: Int, end: Int, bytes: Int)], layers: Int) -> Int {
        (0..<max(layers, 1)).map { t in spans.reduce(0) { $0 + ($1.start <= t && t < $1.end ? $1.bytes : 0) } }.max() ?? 0
    }

    /// Two rectangles alive at one layer whose address ranges overlap (the
    /// allocator's strict lifetime test lets equal lifetimes share memory).
    static func overlappingPlacements(_ rects: [TinyEngineAllocator.Rectangle]) -> String? {
        for (i, a) in rects.enumerated() {
            for b in rects[(i + 1)...] {
                guard let pa = a.placement, let pb = b.placement, a.start < b.end, b.start < a.end else { continue }
                let aEnd = pa + (a.stride2InplaceLayer.map { b.start > $0 } == true ? (a.bytes + 3) / 4 : a.bytes)
                let bEnd = pb + (b.stride2InplaceLayer.map { a.start > $0 } == true ? (b.bytes + 3) / 4 : b.bytes)
                if pa < bEnd && pb < aEnd {
                    func label(_ r: TinyEngineAllocator.Rectangle) -> String {
                        "tensor \(r.name.map { String($0.prefix { $0.isNumber }) } ?? "?") (\(r.bytes) B at \(r.placement ?? 0), layers \(r.start)…\(r.end - 1))"
                    }
                    return "\(label(a)) and \(label(b))"
                }
            }
        }
        return nil
    }
}
