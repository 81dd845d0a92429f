import PatchTopModel

/// How often the loops of the exported library's windowed kernels run for
/// one step (an output rectangle), counted the way the C code walks it
/// (`pt_conv.c`, `pt_depthwise.c`). An instruction count is a sum over
/// loop bodies of (times run × instructions per run), so with these counts
/// as features each coefficient is one loop body's cost, the same for a
/// 1×1 conv, a 10×4 first layer or a 3×3 conv on an 8×8 map.
///
/// Both kernels split outputs the same way: a window inside the image
/// takes the fast path (the input zero point folded into the bias, words
/// of four bytes through SMLAD on cores with the DSP extension), a window
/// crossing the image's edge the slow path (tap by tap, offsets added per
/// tap). Whether a window is inside is separable: its row is inside and its
/// column is inside.
struct KernelLoops: Equatable {
    /// Conv: tap runs (inner dot-product calls) in the two-pixel ×
    /// two-channel path; depthwise: taps × groups of four channels of
    /// outputs inside the image.
    var blockRuns = 0
    /// Conv: 4-byte words of those runs (16 MACs each).
    var blockWords = 0
    /// Conv: bytes of those runs past the last whole word.
    var blockBytes = 0
    /// Conv: tap runs of the one-pixel path (an interior pixel left without
    /// a partner, and every tap of an edge window); depthwise: taps of
    /// channels left over from the groups of four.
    var dotRuns = 0
    /// Conv: 4-byte words of those runs.
    var dotWords = 0
    /// Conv: bytes of those runs past the last whole word.
    var dotBytes = 0
    /// Taps inside the image of windows crossing its edge, × output
    /// channels (conv: each also sums its filter bytes; depthwise: one
    /// reference multiply-accumulate).
    var edgeTaps = 0
    /// Filter bytes summed by the conv's edge path (edge taps × input
    /// channels); depthwise: filter rows walked by its edge path.
    var edgeBytes = 0
    /// Output elements computed by the edge path.
    var edgeElements = 0
    /// Conv: iterations of the assembly loop over a block's words (two words
    /// an iteration when the run is a multiple of 8 bytes, else one).
    var wordLoops = 0
    /// Conv: filter rows inside the image of windows crossing its edge, ×
    /// output channels (each finds its input row).
    var edgeRows = 0
    /// Output pixels computed by the fast path (conv: pixel pairs count
    /// once; depthwise: every inside pixel).
    var insidePixels = 0
    /// Paired 1×1 (and im2col): words of the blocks computed by the C loop
    /// (`pt_1x1_block`: a lone pixel's, or every block of a clamped
    /// output), besides their count in `blockWords`.
    var plainWords = 0
    /// Paired 1×1 (and im2col): outputs requantized in C (`pt_rq_out`, the
    /// C blocks' and the odd channel's), not by the assembly loop.
    var plainOutputs = 0

    /// One side of a window over `outputs`: per output index, the taps
    /// inside the input and whether all are.
    struct Side {
        /// The output indices walked.
        var outputs: Range<Int>
        var count: Int
        /// Outputs whose window lies inside.
        var inside: Int
        /// Σ taps inside over all outputs, and over those crossing the edge.
        var taps: Int
        var edgeTaps: Int
        /// Conv's column walk over inside rows: two-pixel blocks, lone
        /// inside pixels, edge pixels.
        var pairs: Int
        var singles: Int

        init(_ g: WindowGeometry, _ outputs: Range<Int>) {
            self.outputs = outputs
            count = outputs.count
            inside = 0; taps = 0; edgeTaps = 0; pairs = 0; singles = 0
            let span = g.dilation * (g.filterSize - 1)
            func valid(_ o: Int) -> Int {
                let start = o * g.stride - g.padBefore
                if start >= 0 && start + span < g.inputSize { return g.filterSize }
                var first = 0, last = g.filterSize
                while first < g.filterSize && start + g.dilation * first < 0 { first += 1 }
                while last > first && start + g.dilation * (last - 1) >= g.inputSize { last -= 1 }
                return last - first
            }
            func isInside(_ o: Int) -> Bool {
                let start = o * g.stride - g.padBefore
                return start >= 0 && start + span < g.inputSize
            }
            for o in outputs {
                let v = valid(o)
                taps += v
                if isInside(o) { inside += 1 } else { edgeTaps += v }
            }
            var o = outputs.lowerBound
            while o < outputs.upperBound {
                if !isInside(o) { o += 1; continue }
                if o + 1 < outputs.upperBound && (o + 1) * g.stride - g.padBefore + span < g.inputSize {
                    pairs += 1
                    o += 2
                } else {
                    singles += 1
                    o += 1
                }
            }
        }
    }

    /// `pt_conv_s8` over `rows` × `cols` of the output, its paired path
    /// for every window other than an unpadded 1×1 (`pt_conv_paired_kxk`):
    /// a window inside the image takes two pixels (or one, without a
    /// partner) and two channels a block, one `pt_1x1_block` of
    /// `⌈kw·ic / 4⌉` words per filter row (`blockRuns`, `blockWords`); an
    /// odd last channel one dot product of `kw·ic` bytes per filter row and
    /// pixel (`dotRuns`, `dotWords`, `dotBytes`). A window crossing the
    /// image's edge goes tap by tap and byte by byte with the input offset
    /// (`edgeTaps` × channels, `edgeBytes`: its multiply-accumulates,
    /// `edgeElements`: its outputs, requantized the reference way).
    static func conv(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int, outputChannels oc: Int,
                     rows: Side, cols: Side) -> KernelLoops {
        // A row of taps is one run of kw·ic bytes, or, dilated across (the
        // plain path: no paired layout), kw runs of ic bytes.
        let dilated = w.dilation > 1 && w.filterSize > 1
        let run = dilated ? ic : w.filterSize * ic, runsPerRow = dilated ? h.filterSize * w.filterSize : h.filterSize
        let words = (run + 3) / 4
        let insideRows = rows.inside
        var loops = KernelLoops()
        let pixelBlocks = insideRows * (cols.pairs + cols.singles)
        loops.insidePixels = pixelBlocks
        loops.blockRuns = pixelBlocks * (oc / 2) * runsPerRow
        loops.blockWords = loops.blockRuns * words
        loops.wordLoops = loops.blockRuns * (words * 4 % 8 == 0 ? words / 2 : words)
        let oddRuns = (oc % 2) * runsPerRow * insideRows * (2 * cols.pairs + cols.singles)
        loops.dotRuns = oddRuns
        loops.dotWords = oddRuns * (run / 4)
        loops.dotBytes = oddRuns * (run % 4)
        // Edge windows: inside rows × edge columns, and edge rows × every column.
        let edgeTaps = insideRows * h.filterSize * cols.edgeTaps + rows.edgeTaps * cols.taps
        let edgePixels = insideRows * (cols.count - cols.inside) + (rows.count - rows.inside) * cols.count
        loops.edgeTaps = edgeTaps * oc
        loops.edgeBytes = edgeTaps * oc * ic
        loops.edgeElements = edgePixels * oc
        let edgeRows = insideRows * h.filterSize * (cols.count - cols.inside) + rows.edgeTaps * cols.count
        loops.edgeRows = edgeRows * oc
        return loops
    }

    /// `pt_depthwise_s8` over `rows` × `cols` of the output.
    static func depthwise(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int, outputChannels oc: Int,
                          rows: Side, cols: Side, fullRange: Bool = true, fast: Bool = true) -> KernelLoops {
        // `pt_dw_tile4` needs the fast requantization constants.
        if fast && ic == oc && tile4Fits(height: h, width: w, channels: ic, rows: rows.outputs, cols: cols.outputs, inPlace: false) {
            // `pt_dw_tile4` from the separate input, chunk by chunk.
            return tile4(height: h, width: w, channels: ic, rows: rows.outputs, cols: cols.outputs, fullRange: fullRange)
        }
        var loops = KernelLoops()
        let multiplier = ic > 0 ? oc / ic : 1
        let taps = h.filterSize * w.filterSize
        let insidePixels = multiplier == 1 ? rows.inside * cols.inside : 0
        loops.insidePixels = insidePixels
        loops.blockRuns = insidePixels * (ic / 4) * taps
        loops.dotRuns = insidePixels * (ic % 4) * taps
        // The reference path: every valid tap of the other pixels.
        let allTaps = rows.taps * cols.taps
        let allRows = rows.taps * cols.count
        let edgeTaps = multiplier == 1 ? allTaps - rows.inside * h.filterSize * cols.inside * w.filterSize : allTaps
        let edgeRows = multiplier == 1 ? allRows - rows.inside * h.filterSize * cols.inside : allRows
        loops.edgeTaps = edgeTaps * oc
        loops.edgeBytes = edgeRows * oc
        loops.edgeElements = (rows.count * cols.count - insidePixels) * oc
        return loops
    }

    /// `pt_depthwise_inplace_s8` over `rows` × `cols` of the output, channel
    /// by channel through a staged plane, each channel's output rows one
    /// loop each (`insidePixels`: rows × channels): the whole tensor (`whole`) from
    /// its padded plane (`blockBytes` filled per channel), an undilated
    /// window in words of four taps a row (`blockWords`; weights other than
    /// 3×3 packed per channel, `blockRuns`; a dilated window tap by tap,
    /// `dotRuns`; with a clamped output range those outputs in C,
    /// `dotBytes`, instead of the assembly loops). A tile, or a whole map
    /// of at most `tileWholeMaxPixels` outputs, whose window extent fits
    /// `tileWords`: `pt_dw_tile4` (`tile4`); a larger tile: `region`.
    static func inPlace(height h: WindowGeometry, width w: WindowGeometry, channels: Int, whole: Bool, fullRange: Bool = true,
                        fast: Bool = true, rows: Side, cols: Side) -> KernelLoops {
        var loops = KernelLoops()
        let outputs = rows.count * cols.count
        let taps = h.filterSize * w.filterSize
        // Each channel's plane is first filled with the padding value.
        let paddedPlane = (h.inputSize + h.padBefore + h.padAfter) * (w.inputSize + w.padBefore + w.padAfter)
        let strided3x3 = h.filterSize == 3 && w.filterSize == 3 && (h.stride > 1 || w.stride > 1) && rasterSafe(height: h, width: w)
        if fast && tile4Fits(height: h, width: w, channels: channels, rows: rows.outputs, cols: cols.outputs, inPlace: true)
            && (!whole || outputs <= tileWholeMaxPixels) && !(whole && strided3x3) {
            // `pt_dw_tile4`: a tile (or a whole small map) four channels at
            // a time through a plane on the stack, nothing staged.
            return tile4(height: h, width: w, channels: channels, rows: rows.outputs, cols: cols.outputs, fullRange: fullRange)
        }
        if !whole {
            guard fast else { return plainRegion(height: h, width: w, channels: channels, rows: rows, cols: cols) }
            return region(height: h, width: w, channels: channels, fullRange: fullRange, rows: rows, cols: cols)
        }
        let small5x5 = h.filterSize == 5 && w.filterSize == 5 && h.dilation == 1 && w.dilation == 1
            && h.outputSize * w.outputSize <= hwcBufferedMaxPixels
        if whole && fullRange && fast && channels % 4 == 0 && (strided3x3 || small5x5) {
            // `pt_dw_inplace_hwc` (strided 3×3, its outputs safe to write
            // over its input in raster order) and `pt_dw_inplace_hwc5` (5×5
            // on a small map, through a stack buffer): nothing staged; four
            // channels a group, their taps' weights sign-extended once
            // (`blockRuns`); every pixel one assembly block of a word a tap
            // (`blockWords`), a window crossing the image's edge first
            // copied with the padding into a window of its own (`edgeTaps`:
            // its words, `edgeElements`: those pixels × groups).
            let groups = channels / 4
            let inside = rows.inside * cols.inside
            loops.blockRuns = groups * taps
            loops.blockWords = outputs * groups * taps
            loops.insidePixels = outputs * groups
            loops.edgeTaps = (outputs - inside) * groups * taps
            loops.edgeElements = (outputs - inside) * groups
            return loops
        }
        if whole {
            // The plane's padding written once; each channel fills the inside.
            loops.blockBytes = paddedPlane + channels * h.inputSize * w.inputSize
            if fullRange && fast && h.filterSize == 3 && w.filterSize == 3 && h.stride == 1 && w.stride == 1 && w.dilation == 1
                && cols.count >= 2 {
                // `pt_dw_inplace_3x3s1`: per channel its weights packed once
                // (`blockRuns`: 3 a channel), each row of outputs two a
                // word (`blockWords`: 3 rows of taps per pair, and per lone
                // last output), no output tap by tap.
                loops.blockRuns = channels * 3
                loops.blockWords = rows.count * ((cols.count + 1) / 2) * channels * 3
                loops.insidePixels = rows.count * channels
                return loops
            }
            if w.dilation == 1 && h.filterSize <= 8 && w.filterSize <= 8 {
                let groups = (w.filterSize + 3) / 4
                let threeByThree = h.filterSize == 3 && w.filterSize == 3
                // A window whose last word would read past the plane's end goes tap by tap.
                let pw = w.inputSize + w.padBefore + w.padAfter
                let last = (h.filterSize - 1) * h.dilation * pw + (threeByThree ? 4 : 4 * groups)
                let limit = paddedPlane - last
                var scalar = 0
                for oy in 0..<rows.count {
                    let rowStart = oy * h.stride * pw
                    // Outputs ox with rowStart + ox * stride > limit.
                    let first = rowStart > limit ? 0 : (limit - rowStart) / w.stride + 1
                    scalar += max(0, cols.count - first)
                }
                loops.blockWords = (outputs - scalar) * channels * h.filterSize * groups
                loops.dotRuns = scalar * channels * taps
                if fullRange && fast && (h.filterSize == 5 || h.filterSize == 7) && w.filterSize >= 5 {
                    // Its assembly rows; a window whose last row would read
                    // past the plane takes the rows above in words too and
                    // that row from a copy (`dotRuns`: its taps).
                    loops.blockWords = outputs * channels * h.filterSize * groups
                    loops.dotRuns = scalar * channels * w.filterSize
                }
                // Its assembly loops saturate; a clamped output range (or no
                // fast requantization: `pt_requantize`) takes the C loop.
                if !fullRange || !fast { loops.dotBytes = (outputs - scalar) * channels }
                // A window other than 3×3 packs its weights per channel, four taps a word pair.
                if !threeByThree { loops.blockRuns = channels * h.filterSize * groups }
                loops.insidePixels = rows.count * channels
            } else {
                loops.dotRuns = outputs * channels * taps
                loops.insidePixels = rows.count * channels
            }
            return loops
        }
        return loops
    }

    /// `pt_conv_s8`'s paired 1×1 path (a 1×1 conv without padding on a
    /// multiple of 4 input channels): each output row a run of pixels (the
    /// whole rectangle one run when the stride is 1 and rows follow one
    /// another), two pixels at a time (`insidePixels`: pairs; an odd last
    /// pixel is computed as a pair with itself) against two channels a
    /// block of `ic / 4` words (`blockRuns`, `blockWords`), an odd last
    /// channel by dot products (`dotRuns`, `dotWords`). With the activation
    /// range all of int8 (`fullRange`), a true pair runs every channel pair
    /// in one assembly loop; otherwise each block is requantized and
    /// clamped in C (`blockBytes`: those blocks).
    ///
    /// A true pair in the assembly loop (`fullRange`, at most
    /// `extendedMaxChannels` input channels) is first sign-extended once
    /// (`pt_1x1_extend`: `edgeBytes` counts its words of four channels), and
    /// its loop takes 16 channels an iteration where they divide (else 8,
    /// else 4: `wordLoops`).
    ///
    /// Each run is one `pt_conv_1x1_run` call (`edgeRows`: 1, or a call a
    /// row). The C loop's blocks are counted apart too: their words
    /// (`plainWords`) and every output requantized in C (`plainOutputs`).
    ///
    /// With `wide` weights (the exporter's sign-extended copy, an op whose
    /// output has at least `wideMinPixels` pixels) that loop's words cost
    /// less: they are counted in `dotBytes` instead of `blockWords`.
    static func pairedConv(inputChannels ic: Int, outputChannels oc: Int, rows: Int, cols: Int, oneRun: Bool,
                           fullRange: Bool, wide: Bool = false) -> KernelLoops {
        var loops = KernelLoops()
        let pixels = rows * cols
        let pairs = oneRun ? (pixels + 1) / 2 : rows * ((cols + 1) / 2)
        let lone = oneRun ? pixels % 2 : rows * (cols % 2)
        loops.insidePixels = pairs
        loops.blockRuns = pairs * (oc / 2)
        loops.blockWords = pairs * (oc / 2) * (ic / 4)
        let extended = fullRange && ic <= extendedMaxChannels && oc >= 2
        loops.wordLoops = pairs * (oc / 2) * (extended ? extendedIterations(words: ic / 4) : (ic % 8 == 0 ? ic / 8 : ic / 4))
        if extended { loops.edgeBytes = (pairs - lone) * (ic / 4) }
        if extended && wide {
            loops.dotBytes = (pairs - lone) * (oc / 2) * (ic / 4)
            loops.blockWords -= loops.dotBytes
        }
        loops.blockBytes = (fullRange ? lone : pairs) * (oc / 2)
        // `pt_conv_1x1_run` calls: one for the whole rectangle, else one a row.
        loops.edgeRows = oneRun ? 1 : rows
        loops.dotRuns = (oc % 2) * (2 * pairs - lone)
        loops.dotWords = loops.dotRuns * (ic / 4)
        // The C loop's blocks: their words, and their outputs (two for a
        // lone pixel, four for a pair) with the odd channel's, requantized in C.
        loops.plainWords = loops.blockBytes * (ic / 4)
        loops.plainOutputs = (fullRange ? lone : 2 * pairs - lone) * (oc / 2) * 2 + loops.dotRuns
        return loops
    }

    /// Words (four channels each) of the window extent on the stack of
    /// `pt_dw_tile4` (`PT_DW_TILE_WORDS`), and the output pixels up to which
    /// a whole in-place map takes it (`PT_DW_TILE_WHOLE_MAX`).
    static let tileWords = 256
    static let tileWholeMaxPixels = 25
    /// Bytes of `pt_dw_rim`'s stack buffer (`PT_DW_RIM_BYTES`).
    static let rimBytes = 512

    /// Whether `pt_dw_tile4` takes the outputs `rows` × `cols`
    /// (`pt_dw_tile4_fits`): channels in groups of four, undilated windows
    /// of at most 8×8, and in place the whole window extent on the stack.
    static func tile4Fits(height h: WindowGeometry, width w: WindowGeometry, channels: Int, rows: Range<Int>, cols: Range<Int>,
                          inPlace: Bool) -> Bool {
        guard channels % 4 == 0, channels > 0, h.dilation == 1, w.dilation == 1, h.filterSize <= 8, w.filterSize <= 8,
              !rows.isEmpty, !cols.isEmpty else { return false }
        let extent = ((rows.count - 1) * h.stride + h.filterSize) * ((cols.count - 1) * w.stride + w.filterSize)
        return !inPlace || extent <= tileWords
    }

    /// `pt_dw_tile4` over `rows` × `cols`: per group of four channels its
    /// weights sign-extended once (`blockRuns`: taps × groups); per chunk of
    /// outputs its window extent copied onto the stack (`edgeTaps`: words
    /// inside the image, `edgeElements`: rows, × groups; `dotWords`: the
    /// padding words, once when the rectangle is one chunk, else per
    /// group); every output pixel of a word a tap in assembly (`blockWords`:
    /// a 3×3 window a row of outputs one loop, `wordLoops`: rows × groups;
    /// a 3×1 … 7×7 one block per pixel, `edgeRows`: those calls; a clamped
    /// output range or another width the C loop: `dotRuns`, `dotBytes`),
    /// its requantization (`insidePixels`: pixels × groups).
    static func tile4(height h: WindowGeometry, width w: WindowGeometry, channels: Int, rows: Range<Int>, cols: Range<Int>,
                      fullRange: Bool) -> KernelLoops {
        var loops = KernelLoops()
        let kh = h.filterSize, kw = w.filterSize, sh = h.stride, sw = w.stride
        let groups = channels / 4, taps = kh * kw, outputs = rows.count * cols.count
        let cc = min(cols.count, (tileWords / kh - kw) / sw + 1)
        let ew = (cc - 1) * sw + kw
        let cr = min(rows.count, max(1, (tileWords / ew - kh) / sh + 1))
        // The extent's words inside the image (copied per group) and outside
        // (the padding: per group, or once when the rectangle is one chunk).
        func inImage(_ start: Int, _ n: Int, _ size: Int) -> Int { max(0, min(start + n, size) - max(start, 0)) }
        var copied = 0, padding = 0, planeRows = 0, chunks = 0, outputRows = 0
        for r0 in stride(from: rows.lowerBound, to: rows.upperBound, by: cr) {
            let r1 = min(r0 + cr, rows.upperBound)
            for q0 in stride(from: cols.lowerBound, to: cols.upperBound, by: cc) {
                let q1 = min(q0 + cc, cols.upperBound)
                let eh = (r1 - 1 - r0) * sh + kh, ewc = (q1 - 1 - q0) * sw + kw
                let inside = inImage(r0 * sh - h.padBefore, eh, h.inputSize) * inImage(q0 * sw - w.padBefore, ewc, w.inputSize)
                copied += inside
                padding += eh * ewc - inside
                planeRows += eh
                outputRows += r1 - r0
                chunks += 1
            }
        }
        loops.blockRuns = groups * taps
        loops.edgeTaps = groups * copied
        loops.dotWords = chunks == 1 ? padding : groups * padding
        loops.edgeElements = groups * planeRows
        loops.insidePixels = outputs * groups
        if fullRange && kh == 3 && kw == 3 {
            // A row of outputs one assembly loop (`wordLoops`: rows × groups).
            loops.blockWords = outputs * groups * taps
            loops.wordLoops = outputRows * groups
        } else if fullRange && (kw == 3 || kw == 5 || kw == 7) {
            // Each pixel's assembly block called from C (`edgeRows`: the calls).
            loops.blockWords = outputs * groups * taps
            loops.edgeRows = outputs * groups
        } else {
            loops.dotRuns = outputs * groups * taps
            loops.dotBytes = outputs * groups
        }
        return loops
    }

    /// A tile of an in-place depthwise conv without the fast requantization
    /// constants (`pt_depthwise_inplace_s8`'s last loop): per channel the
    /// staging buffer filled with the padding and the tile's input region
    /// gathered into it (`blockBytes`: the region's bytes), then
    /// `pt_dw_plane`: windows inside the image tap by tap (`dotRuns`), the
    /// others through the reference path (`edgeBytes`: their filter rows,
    /// `edgeElements`: their outputs; their taps are in `taps`).
    static func plainRegion(height h: WindowGeometry, width w: WindowGeometry, channels: Int, rows: Side, cols: Side) -> KernelLoops {
        func inputs(_ g: WindowGeometry, _ o: Range<Int>) -> Int {
            guard !o.isEmpty else { return 0 }
            let first = max(0, o.lowerBound * g.stride - g.padBefore)
            let last = min(g.inputSize, (o.upperBound - 1) * g.stride - g.padBefore + g.dilation * (g.filterSize - 1) + 1)
            return max(0, last - first)
        }
        var loops = KernelLoops()
        let inside = rows.inside * cols.inside
        loops.blockBytes = channels * inputs(h, rows.outputs) * inputs(w, cols.outputs)
        loops.insidePixels = rows.count * channels
        loops.dotRuns = inside * channels * h.filterSize * w.filterSize
        loops.edgeBytes = (rows.taps * cols.count - rows.inside * h.filterSize * cols.inside) * channels
        loops.edgeElements = (rows.count * cols.count - inside) * channels
        return loops
    }

    /// `pt_dw_padded_plane_fast` over `rows` × `cols` of `channels` planes
    /// (one call a channel), its last words assumed inside the plane: 3×3
    /// stride 1 with int8's full range two outputs a word (`blockRuns`: 3
    /// packed rows a channel); other undilated windows of at most 8×8 a
    /// word per four taps of a row (`blockWords`; weights other than 3×3
    /// packed per channel, `blockRuns`; a clamped range in C, `dotBytes`);
    /// others tap by tap (`dotRuns`). `insidePixels`: rows × channels.
    static func paddedPlane(height h: WindowGeometry, width w: WindowGeometry, channels: Int, fullRange: Bool,
                            rows: Int, cols: Int) -> KernelLoops {
        var loops = KernelLoops()
        guard rows > 0, cols > 0 else { return loops }
        let outputs = rows * cols, taps = h.filterSize * w.filterSize
        let threeByThree = h.filterSize == 3 && w.filterSize == 3
        loops.insidePixels = rows * channels
        if fullRange && threeByThree && w.dilation == 1 && w.stride == 1 {
            loops.blockRuns = channels * 3
            loops.blockWords = rows * ((cols + 1) / 2) * channels * 3
        } else if w.dilation == 1 && h.filterSize <= 8 && w.filterSize <= 8 {
            let groups = (w.filterSize + 3) / 4
            loops.blockWords = outputs * channels * h.filterSize * groups
            if !threeByThree { loops.blockRuns = channels * h.filterSize * groups }
            if !fullRange { loops.dotBytes = outputs * channels }
        } else {
            loops.dotRuns = outputs * channels * taps
        }
        return loops
    }

    /// `pt_dw_inplace_region`: a tile too large for `pt_dw_tile4`. Per
    /// channel the tile's input region staged (`blockBytes`: its bytes);
    /// the outputs whose windows lie inside the image through the
    /// padded-plane kernels on it; the bands above and below and the strips
    /// left and right of them (windows crossing the image's edge) each
    /// copied with the padding onto the stack (`blockBytes`: their extents)
    /// and through the same kernels.
    static func region(height h: WindowGeometry, width w: WindowGeometry, channels: Int, fullRange: Bool,
                       rows: Side, cols: Side) -> KernelLoops {
        func inputs(_ g: WindowGeometry, _ o: Range<Int>) -> Int {
            guard !o.isEmpty else { return 0 }
            let first = max(0, o.lowerBound * g.stride - g.padBefore)
            let last = min(g.inputSize, (o.upperBound - 1) * g.stride - g.padBefore + g.dilation * (g.filterSize - 1) + 1)
            return max(0, last - first)
        }
        func extent(_ g: WindowGeometry, _ n: Int) -> Int { (n - 1) * g.stride + g.dilation * (g.filterSize - 1) + 1 }
        var loops = KernelLoops()
        loops.blockBytes = channels * inputs(h, rows.outputs) * inputs(w, cols.outputs)
        var parts: [(Int, Int)] = []
        if rows.inside > 0 && cols.inside > 0 {
            loops.add(paddedPlane(height: h, width: w, channels: channels, fullRange: fullRange, rows: rows.inside, cols: cols.inside))
            parts = [(rows.count - rows.inside, cols.count), (rows.inside, cols.count - cols.inside)]
        } else {
            parts = [(rows.count, cols.count)]
        }
        for (r, c) in parts where r > 0 && c > 0 {
            loops.blockBytes += channels * extent(h, r) * extent(w, c)
            loops.add(paddedPlane(height: h, width: w, channels: channels, fullRange: fullRange, rows: r, cols: c))
        }
        return loops
    }

    mutating func add(_ o: KernelLoops) {
        blockRuns += o.blockRuns; blockWords += o.blockWords; blockBytes += o.blockBytes
        dotRuns += o.dotRuns; dotWords += o.dotWords; dotBytes += o.dotBytes
        edgeTaps += o.edgeTaps; edgeBytes += o.edgeBytes; edgeElements += o.edgeElements
        wordLoops += o.wordLoops; edgeRows += o.edgeRows; insidePixels += o.insidePixels
        plainWords += o.plainWords; plainOutputs += o.plainOutputs
    }

    /// Output pixels up to which a whole in-place 5×5 depthwise runs four
    /// channels at a time through a stack buffer (`PT_DW_HWC_BUFFERED_MAX`).
    static let hwcBufferedMaxPixels = 16

    /// Whether a whole in-place depthwise may write each output over its own
    /// input position in raster order (`pt_dw_raster_safe` in
    /// pt_depthwise.c): no later output reads that input pixel.
    static func rasterSafe(height h: WindowGeometry, width w: WindowGeometry) -> Bool {
        guard h.dilation == 1 && w.dilation == 1 else { return false }
        for oy in 0..<h.outputSize {
            let row = max(0, oy * h.stride - h.padBefore), nextRow = max(0, (oy + 1) * h.stride - h.padBefore)
            for ox in 0..<w.outputSize {
                let q = oy * w.outputSize + ox
                if ox + 1 < w.outputSize && row * w.inputSize + max(0, (ox + 1) * w.stride - w.padBefore) <= q { return false }
                if oy + 1 < h.outputSize && nextRow * w.inputSize <= q { return false }
            }
        }
        return true
    }

    /// Iterations of the extended pair loop over `words` words of four
    /// channels: four an iteration, after two (4k + 2 words, k ≥ 1) or one
    /// (odd, then two an iteration) before it.
    static func extendedIterations(words n: Int) -> Int {
        if n % 4 == 0 { return n / 4 }
        if n % 4 == 2 { return n >= 6 ? (n - 2) / 4 : n / 2 }
        return n >= 3 ? (n - 1) / 2 : n
    }

    /// Input channels up to which the paired 1×1 path sign-extends a pixel
    /// pair once (`PT_1X1_EXT_MAX` in pt_conv.c).
    static let extendedMaxChannels = 512

    /// Output pixels from which the exporter also stores a paired 1×1 or
    /// im2col conv's weights sign-extended (`ModelEmitter.wideMinPixels`).
    static let wideMinPixels = 100

    /// Whether the exporter gives a paired 1×1 or im2col conv with this
    /// output the sign-extended weights.
    static func hasWideWeights(height h: WindowGeometry, width w: WindowGeometry) -> Bool {
        h.outputSize * w.outputSize >= wideMinPixels
    }

    /// Largest window (bytes, rounded up to a word) the exporter lays out
    /// for im2col (`PT_IM2COL_MAX` in pt_conv.c, `ModelEmitter.im2colMaxBytes`).
    static let im2colMaxBytes = 64

    /// Whether the export runs a CONV_2D of this window down its im2col
    /// path (`pt_conv_im2col`): more than one tap and the whole window at
    /// most `im2colMaxBytes` (a first conv on 1–7 channels).
    static func isIm2col(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int) -> Bool {
        h.filterSize * w.filterSize > 1 && ic > 0 && (h.filterSize * w.filterSize * ic + 3) / 4 * 4 <= im2colMaxBytes
    }

    /// `pt_conv_im2col` over `rows` × `cols` of the output: each row's
    /// pixels two at a time, each gathered as one run of the window's
    /// `⌈kh·kw·ic / 4⌉` words (pixel pairs inside the image inline, a row of
    /// taps at a time: `edgeRows`; other pixels through
    /// `pt_im2col_gather`, `edgeElements`: a window inside the image across
    /// a filter row at a time, copied or padded, `edgeRows` too; one
    /// crossing its left or right edge a tap at a time, `edgeTaps`), then
    /// the paired 1×1 loops over those words (as
    /// `pairedConv`, a row of output pixels per run).
    static func im2col(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int, outputChannels oc: Int,
                       rows: Side, cols: Range<Int>, fullRange: Bool) -> KernelLoops {
        let rowBytes = (h.filterSize * w.filterSize * ic + 3) / 4 * 4
        var loops = pairedConv(inputChannels: rowBytes, outputChannels: oc, rows: rows.count, cols: cols.count, oneRun: false,
                               fullRange: fullRange, wide: hasWideWeights(height: h, width: w))
        // Pairs whose two windows lie inside the image are gathered inline.
        var insidePairs = 0
        let span = w.dilation * (w.filterSize - 1)
        if w.dilation == 1 {
            var ox = cols.lowerBound
            while ox < cols.upperBound {
                let ix0 = ox * w.stride - w.padBefore
                if ox + 1 < cols.upperBound && ix0 >= 0 && ix0 + w.stride + span < w.inputSize { insidePairs += 1 }
                ox += 2
            }
        }
        let inlinePairs = rows.inside * insidePairs
        let gathered = rows.count * cols.count - 2 * inlinePairs
        // `pt_im2col_gather`: a window inside the image across (undilated)
        // goes a filter row at a time (copied, or filled with the padding
        // where the row is outside), one crossing its left or right edge
        // tap by tap.
        var acrossInside = 0
        for ox in cols where w.dilation == 1 {
            let ix0 = ox * w.stride - w.padBefore
            if ix0 >= 0 && ix0 + w.filterSize <= w.inputSize { acrossInside += 1 }
        }
        let rowWise = rows.count * acrossInside - 2 * inlinePairs
        loops.edgeRows = (inlinePairs * 2 + rowWise) * h.filterSize
        loops.edgeTaps = (gathered - rowWise) * h.filterSize * w.filterSize
        loops.edgeElements = gathered
        return loops
    }
}
