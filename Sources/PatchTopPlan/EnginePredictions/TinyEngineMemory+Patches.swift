extension TinyEngineMemory {
    /// The suffix TinyEngine gives the stage output's name so that it is a
    /// tensor of its own, held from the first layer of the stage.
    static let stageOutputSuffix = "_start_normal_infernece_block"

    /// TinyEngine's receptive field of `grain` output positions of layer
    /// `split`'s input, walked back over convs and depthwise convs only, by
    /// the larger kernel side and the height stride (1 or 2; other strides
    /// are ignored).
    static func receptiveField(_ layers: [TinyEngineLayer], split: Int, grain: Int) -> Int {
        var field = grain
        for layer in layers[0..<split].reversed() where layer.kind == .conv || layer.kind == .depthwise {
            guard !layer.isFullyConnected else { continue }
            // Saturating: a file with absurdly many stride-2 layers must not trap.
            let kernel = min(max(layer.kernelHeight, layer.kernelWidth), 1 << 30)
            if layer.strideHeight == 1 {
                field = min(field + kernel - 1, 1 << 40)
            } else if layer.strideHeight == 2 {
                field = min((field - 1) * 2 + kernel, 1 << 40)
            }
        }
        return field
    }

    /// Python's `math.ceil(a / b)` for a positive `b`.
    static func ceilDivide(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a + b - 1) / b : -(-a / b)
    }

    /// Resizes the stage's layers to one patch as TinyEngine's patch resizer
    /// does, renames the stage output, and says where the result is wrong.
    static func resizeStage(
        _ layers: inout [TinyEngineLayer], patches p: Int, split: Int
    ) throws(TinyEngineUnavailable) -> (patchInput: (height: Int, width: Int), warnings: [String]) {
        var warnings: [String] = []
        let image = (height: layers[0].inputHeight, width: layers[0].inputWidth)
        let grid = (height: layers[split].inputHeight, width: layers[split].inputWidth)
        let side = max(grid.height, grid.width)
        let grain = side / p
        if grain == 0 || grid.height / p == 0 {
            warnings.append("p=\(p) is more patches than the \(grid.height)×\(grid.width) stage output has rows or columns: TinyEngine's patches are empty")
        }
        let fieldWidth = receptiveField(layers, split: split, grain: grain)
        let fieldHeight = receptiveField(layers, split: split, grain: grid.height / p)

        if grid.height % p != 0 || grid.width % p != 0 || grid.height != grid.width {
            let rows = grid.height - grid.height / p * p, cols = grid.width - grain * p
            var missed: [String] = []
            if rows > 0 { missed.append("its last \(rows) row\(rows == 1 ? "" : "s")") }
            if cols > 0 { missed.append("its last \(cols) column\(cols == 1 ? "" : "s")") }
            if cols < 0 { missed.append("patches running \(-cols) column\(cols == -1 ? "" : "s") past its edge") }
            warnings.append("p=\(p) does not divide the \(grid.height)×\(grid.width) stage output evenly: TinyEngine's \(grid.height / p)×\(grain) patches leave \(missed.joined(separator: " and ")) wrong (never computed)")
        }
        if fieldHeight > image.height || fieldWidth > image.width {
            warnings.append("a patch's receptive field (\(fieldHeight)×\(fieldWidth)) is larger than the \(image.height)×\(image.width) input image: TinyEngine's patches read beyond the image")
        }

        // A tensor made inside the stage and read after it by anything but
        // the split layer's first input gets one patch's buffer, not the whole map.
        var stageNames: [String: Int] = [:]
        for i in 0..<split { stageNames[layers[i].output.name] = i }
        for j in split..<layers.count {
            for (k, input) in layers[j].inputs.enumerated() where !(j == split && k == 0) {
                if let producer = stageNames[input.name] {
                    warnings.append("layer \(j) (\(layers[j].label)) reads tensor \(input.name) of stage layer \(producer) across the split: a residual skip TinyEngine serves from one patch's buffer, so its result is wrong")
                }
            }
        }

        for i in 0..<split {
            if i == 0 {
                layers[0].inputHeight = fieldHeight
                layers[0].inputWidth = fieldWidth
            } else {
                layers[i].inputHeight = layers[i - 1].outputHeight
                layers[i].inputWidth = layers[i - 1].outputWidth
            }
            layers[i].inputs[0].resize(width: layers[i].inputWidth, height: layers[i].inputHeight)
            switch layers[i].kind {
            case .conv, .depthwise:
                guard layers[i].strideHeight > 0, layers[i].strideWidth > 0 else {
                    throw TinyEngineUnavailable("layer \(i) (\(layers[i].label)) has stride \(layers[i].strideHeight)×\(layers[i].strideWidth): TinyEngine's patch resizer divides by it")
                }
                guard !layers[i].isFullyConnected else {
                    throw TinyEngineUnavailable("TinyEngine's patch resizer fails on layer \(i) (FULLY_CONNECTED run as a conv has no stride) inside the stage of split_index \(split)")
                }
                let layer = layers[i]
                layers[i].outputHeight = ceilDivide(layer.inputHeight - layer.kernelHeight + 1, layer.strideHeight)
                layers[i].outputWidth = ceilDivide(layer.inputWidth - layer.kernelWidth + 1, layer.strideWidth)
                layers[i].output.resize(width: layers[i].outputWidth, height: layers[i].outputHeight)
                if layer.strideHeight > 2 || layer.strideWidth > 2 {
                    warnings.append("layer \(i) (\(layer.label)) has stride \(layer.strideHeight): TinyEngine's receptive field ignores strides other than 1 and 2")
                }
            case .add:
                // Its output tensor keeps the whole map's size (TinyEngine
                // resizes only the ADD's inputs), so the arena holds it whole.
                layers[i].outputHeight = layers[i].inputHeight
                layers[i].outputWidth = layers[i].inputWidth
                if layers[i].inputs.count > 1 {
                    layers[i].inputs[1].resize(width: layers[i].inputWidth, height: layers[i].inputHeight)
                }
            case .averagePool, .maxPool, .upsample, .seElementMult:
                warnings.append("layer \(i) (\(layers[i].label)) is inside the patch stage: TinyEngine's patch resizer does not resize it, so it computes the whole map per patch")
            }
        }
        layers[split].inputs[0].name += stageOutputSuffix
        return ((fieldHeight, fieldWidth), warnings)
    }
}
