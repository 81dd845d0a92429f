import PatchTopModel

/// How often the loops of the exported library's kernels other than the
/// int8 convs run for one step, counted the way the C code walks them
/// (`pt_reduce.c`, `pt_shape.c`, `pt_executor.c`'s PAD, CONCATENATION,
/// element runs; `pt_float.c`), as `KernelLoops` does for the convs: each
/// feature is one loop body, so its coefficient is that body's cost
/// whatever the shape, and a MEAN over one axis, a TRANSPOSE or a PAD
/// stored per patch is priced from the same bodies as every other.
///
/// Byte movers (PAD, CONCATENATION, TRANSPOSE, STRIDED_SLICE,
/// RESIZE_NEAREST_NEIGHBOR, RESHAPE, constant fills) are the same C for
/// int8 and float32 tensors, so they are counted the same: `memcpy`/
/// `memmove` calls and their bytes, `memset` calls and their bytes, the
/// bodies of the loops around them, and element-by-element C loops.
struct OpLoops: Equatable {
    /// Outer-loop bodies around the calls (rows of a whole-tensor walk,
    /// pixels of a region walk).
    var loopRows = 0
    /// Element-by-element C loop bodies (an int8 TRANSPOSE's inner loop;
    /// a float in-place depthwise conv's staging copy).
    var elementLoops = 0
    /// `memcpy`/`memmove` calls and the bytes they move.
    var memCalls = 0
    var memBytes = 0
    /// `memset` calls and the bytes they fill.
    var fillCalls = 0
    var fillBytes = 0
    /// MEAN: inner-loop entries (outputs × the reduced sizes but the
    /// innermost) and inputs summed (outputs × inputs per output).
    var reducedRows = 0
    var reducedElements = 0
    /// Exponentials (int8 SOFTMAX: two per element; LOG_SOFTMAX: one;
    /// float SOFTMAX, LOG_SOFTMAX and LOGISTIC: one `pt_expf` per element).
    var expCalls = 0
    /// Logarithms: LOG_SOFTMAX's one per row.
    var logCalls = 0
    /// float TANH: one `tanhf` per element.
    var tanhCalls = 0
    /// Contiguous runs an element-wise step walks past its first (a whole
    /// tensor is one run, a patch's region one per row: `pt_runs`). Past
    /// the first, so that it is not the step count again where every step
    /// is one run (layer by layer): a fit without patched instances leaves
    /// its coefficient at 0 instead of splitting the per-step cost.
    var runs = 0
    /// pt_conv_f32 and pt_fc_f32: filter-row iterations (every `fy` of
    /// every output, also those skipped at the edge), filter-column
    /// iterations (every `fx` of a row inside), taps inside (× output
    /// channels) of a conv (each starts the channel loop) and of a
    /// depthwise conv (each one multiply-add with its division), and
    /// multiply-adds of the channel loops (a conv's, a dense layer's).
    var rowLoops = 0
    var columnLoops = 0
    var convTaps = 0
    var depthwiseTaps = 0
    var floatMACs = 0
    /// pt_pool_f32: window taps inside the input (each finds its pixel; its
    /// channel loop is `floatMACs`).
    var windowTaps = 0
    /// pt_depthwise_inplace_f32: taps inside (× channels), each a
    /// multiply-add on the staged plane (no pixel address, no division).
    var inPlaceTaps = 0

    /// Four-dimensional shape with ones in front, as the exporter passes it.
    static func four(_ shape: [Int]) -> [Int] { [Int](repeating: 1, count: max(0, 4 - shape.count)) + shape.suffix(4) }

    // MARK: - Reductions and softmax (pt_reduce.c, pt_float.c)

    /// `pt_mean_s8` / `pt_mean_f32` of an input `shape` over `axes`: every
    /// output runs the reduced loops (`PT_FOR_REDUCED`: the three outer
    /// reduced sizes of rows, the innermost of elements).
    static func mean(shape: [Int], axes: [Int]) -> OpLoops {
        var loops = OpLoops()
        guard shape.count <= 4 else { return loops }
        var reduced = Set<Int>()
        for axis in axes {
            let a = axis < 0 ? axis + shape.count : axis
            if a >= 0 && a < shape.count { reduced.insert(a) }
        }
        let kept = shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let sizes = shape.indices.filter { reduced.contains($0) }.map { shape[$0] }
        let outputs = kept.reduce(1, *)
        let count = sizes.reduce(1, *)
        guard count > 0 else { return loops }
        let inner = sizes.last ?? 1
        loops.reducedRows = outputs * (count / max(inner, 1))
        loops.reducedElements = outputs * count
        return loops
    }

    /// `pt_softmax_s8` (`log: false`) or `pt_log_softmax_s8` over `rows`
    /// rows of `depth` (`loopRows`: each its maximum and its sum's set-up): the exponential of every element twice (the sum,
    /// then each output) or once (the sum; each output subtracts the log),
    /// and LOG_SOFTMAX's logarithm per row. The float kernels
    /// (`pt_softmax_f32`, `pt_log_softmax_f32`) take one `pt_expf` per
    /// element either way.
    static func softmax(rows: Int, depth: Int, log: Bool, float: Bool) -> OpLoops {
        var loops = OpLoops()
        loops.loopRows = rows
        loops.expCalls = rows * depth * (float || log ? 1 : 2)
        loops.logCalls = log ? rows : 0
        return loops
    }

    // MARK: - Byte movers (pt_shape.c, pt_executor.c)

    /// `pt_pad_whole`: the output filled, then each input row (each pixel,
    /// when the channels are padded too) copied to its place.
    static func padWhole(inputShape: [Int], before: [Int], after: [Int], elementBytes e: Int) -> OpLoops {
        let s = four(inputShape), b = four(before).map { max($0, 0) }, a = four(after).map { max($0, 0) }
        var loops = OpLoops()
        let outBytes = zip(s, zip(b, a)).map { $0 + $1.0 + $1.1 }.reduce(1, *) * e
        loops.fillCalls = 1
        loops.fillBytes = outBytes
        let rows = s[0] * s[1]
        if b[3] == 0 && a[3] == 0 {
            loops.loopRows = rows
            loops.memCalls = rows
        } else {
            loops.loopRows = rows + rows * s[2]
            loops.memCalls = rows * s[2]
        }
        loops.memBytes = s.reduce(1, *) * e
        return loops
    }

    /// `pt_pad_region` over `rows` × `cols` of the output: a row of the
    /// padding one `memset`; in a row of the input, each pixel of the
    /// padding one `memset`, each pixel of the input one `memcpy` (after a
    /// `memset` when the channels are padded).
    static func padRegion(inputShape: [Int], before: [Int], after: [Int], elementBytes e: Int,
                          rows: Range<Int>, cols: Range<Int>) -> OpLoops {
        let s = four(inputShape), b = four(before), a = four(after)
        var loops = OpLoops()
        let pixelIn = s[3] * e, pixelOut = (s[3] + b[3] + a[3]) * e
        let channelPadded = b[3] != 0 || a[3] != 0
        let top = b[1], left = b[2]
        let low = min(max(cols.lowerBound, left), cols.upperBound)
        let high = max(min(cols.upperBound, s[2] + left), low)
        let insideCols = high - low, outsideCols = cols.count - insideCols
        for row in rows {
            loops.loopRows += 1
            let iy = row - top
            if iy < 0 || iy >= s[1] {
                loops.fillCalls += 1
                loops.fillBytes += cols.count * pixelOut
                continue
            }
            loops.loopRows += cols.count
            loops.fillCalls += outsideCols + (channelPadded ? insideCols : 0)
            loops.fillBytes += (outsideCols + (channelPadded ? insideCols : 0)) * pixelOut
            loops.memCalls += insideCols
            loops.memBytes += insideCols * pixelIn
        }
        return loops
    }

    /// `pt_concat`: a whole tensor as `outer` blocks of one `memcpy` per
    /// input; a region pixel by pixel, one `memcpy` per input.
    static func concatenation(shapes: [[Int]], axis: Int, elementBytes e: Int, pixels: Int?) -> OpLoops {
        var loops = OpLoops()
        guard let first = shapes.first, !first.isEmpty else { return loops }
        let a = axis < 0 ? axis + first.count : axis
        guard a >= 0, a < first.count else { return loops }
        if let pixels {
            loops.loopRows = pixels
            loops.memCalls = pixels * shapes.count
            loops.memBytes = pixels * shapes.reduce(0) { $0 + ($1.last ?? 1) } * e
            return loops
        }
        let outer = first[..<a].reduce(1, *)
        let chunks = shapes.map { $0[a...].reduce(1, *) * e }
        loops.loopRows = outer
        loops.memCalls = outer * chunks.filter { $0 > 0 }.count
        loops.memBytes = outer * chunks.reduce(0, +)
        return loops
    }

    /// `pt_transpose` to `outputShape`: a loop per output row (all but the
    /// last dimension), its elements one by one (bytes), or one `memcpy`
    /// each (wider elements).
    static func transpose(outputShape: [Int], elementBytes e: Int) -> OpLoops {
        let o = four(outputShape)
        var loops = OpLoops()
        loops.loopRows = o[0] * o[1] * o[2]
        let elements = o.reduce(1, *)
        if e == 1 {
            loops.elementLoops = elements
        } else {
            loops.memCalls = elements
            loops.memBytes = elements * e
        }
        return loops
    }

    /// `pt_strided_slice`: a loop per output row, one `memcpy` per element.
    static func stridedSlice(outputShape: [Int], elementBytes e: Int) -> OpLoops {
        let o = four(outputShape)
        var loops = OpLoops()
        loops.loopRows = o[0] * o[1] * o[2]
        loops.memCalls = o.reduce(1, *)
        loops.memBytes = loops.memCalls * e
        return loops
    }

    /// `pt_resize_nearest`: a loop per output row, one `memcpy` of the
    /// channels per output pixel.
    static func resizeNearest(outputShape: [Int], elementBytes e: Int = 1) -> OpLoops {
        let o = four(outputShape)
        var loops = OpLoops()
        loops.loopRows = o[0] * o[1]
        loops.memCalls = o[0] * o[1] * o[2]
        loops.memBytes = o.reduce(1, *) * e
        return loops
    }

    /// One `memmove` or `memcpy` of `bytes` (RESHAPE's copy, a constant fill).
    static func copy(bytes: Int) -> OpLoops {
        var loops = OpLoops()
        loops.memCalls = 1
        loops.memBytes = bytes
        return loops
    }

    // MARK: - float32 kernels (pt_float.c)

    /// `pt_conv_f32` over `rows` × `cols` of the output: for every output
    /// element all `kh` filter rows (those outside skipped), `kw` columns of
    /// each row inside, and per tap inside the channel loop of a conv
    /// (`ic` multiply-adds) or a depthwise conv's one multiply-add.
    static func floatConv(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int, outputChannels oc: Int,
                          depthwise: Bool, rows: KernelLoops.Side, cols: KernelLoops.Side) -> OpLoops {
        var loops = OpLoops()
        let elements = rows.count * cols.count * oc
        let taps = rows.taps * cols.taps * oc
        loops.rowLoops = elements * h.filterSize
        loops.columnLoops = rows.taps * cols.count * w.filterSize * oc
        if depthwise {
            loops.depthwiseTaps = taps
        } else {
            loops.convTaps = taps
            loops.floatMACs = taps * ic
        }
        return loops
    }

    /// `pt_depthwise_inplace_f32`: per channel the staging buffer zeroed
    /// (`stagingBytes`) and the channel's plane (`plane` floats) copied in
    /// one by one, then its outputs through the depthwise conv's loops, each
    /// tap on the staged plane (`inPlaceTaps`).
    static func floatInPlace(height h: WindowGeometry, width w: WindowGeometry, channels: Int, plane: Int, stagingBytes: Int,
                             rows: KernelLoops.Side, cols: KernelLoops.Side) -> OpLoops {
        var loops = floatConv(height: h, width: w, inputChannels: channels, outputChannels: channels, depthwise: true, rows: rows, cols: cols)
        loops.inPlaceTaps = loops.depthwiseTaps
        loops.depthwiseTaps = 0
        loops.fillCalls = channels
        loops.fillBytes = channels * stagingBytes
        loops.elementLoops = channels * plane
        return loops
    }

    /// `pt_pool_f32`: per window tap inside the input the channel loop.
    static func floatPool(channels: Int, rows: KernelLoops.Side, cols: KernelLoops.Side) -> OpLoops {
        var loops = OpLoops()
        loops.windowTaps = rows.taps * cols.taps
        loops.floatMACs = loops.windowTaps * channels
        return loops
    }
}

extension KernelLoops {
    /// `pt_conv_paired_kxk` reads each filter row as `rowBytes` bytes (`kw·ic`
    /// rounded up to a word, the extra weights zero), so a window inside the
    /// image whose last input row is the input buffer's last row, and whose
    /// padded read (of its pixel pair) would pass the buffer's end, goes
    /// tap by tap like an edge window instead. Layer by layer that is a
    /// pixel or two of the last output row; in a patch, where the buffer is
    /// the tile's input region, of every tile's last row. `conv` walks
    /// blocks without the buffer's end; this walks those rows again with it
    /// (`buffer`: the input's region in its buffer, the whole tensor layer by
    /// layer) and moves the pixels that fall back from the fast path to the
    /// edge counts.
    mutating func readPastBufferEnd(height h: WindowGeometry, width w: WindowGeometry, inputChannels ic: Int, outputChannels oc: Int,
                                    rowBytes: Int, rows: Range<Int>, cols: Range<Int>, buffer: Region) {
        let kh = h.filterSize, kw = w.filterSize, sw = w.stride
        let limit = buffer.width * ic
        let words = (w.filterSize * ic + 3) / 4
        let run = w.filterSize * ic
        for oy in rows {
            let iy0 = oy * h.stride - h.padBefore
            // Inside rows only (an edge row goes tap by tap already), whose window ends on the buffer's last row.
            guard iy0 >= 0, iy0 + h.dilation * (kh - 1) < h.inputSize,
                  iy0 + h.dilation * (kh - 1) == buffer.rows.upperBound - 1 else { continue }
            var pairs0 = 0, singles0 = 0, pairs1 = 0, singles1 = 0, slow = 0
            // The walk without the buffer's end (what `conv` counted), then with it.
            for withEnd in [false, true] {
                var ox = cols.lowerBound
                while ox < cols.upperBound {
                    let ix0 = ox * sw - w.padBefore
                    guard ix0 >= 0, ix0 + kw - 1 < w.inputSize else { ox += 1; continue }
                    let pair = ox + 1 < cols.upperBound && ix0 + sw + kw - 1 < w.inputSize
                    let step = pair ? sw * ic : 0
                    if withEnd && (ix0 - buffer.cols.lowerBound) * ic + step + rowBytes > limit {
                        slow += 1
                        ox += 1
                        continue
                    }
                    if pair { if withEnd { pairs1 += 1 } else { pairs0 += 1 } } else { if withEnd { singles1 += 1 } else { singles0 += 1 } }
                    ox += pair ? 2 : 1
                }
            }
            guard slow > 0 else { continue }
            let blocks = (pairs1 + singles1) - (pairs0 + singles0)
            insidePixels += blocks
            blockRuns += blocks * (oc / 2) * kh
            blockWords += blocks * (oc / 2) * kh * words
            wordLoops += blocks * (oc / 2) * kh * (words * 4 % 8 == 0 ? words / 2 : words)
            let odd = (oc % 2) * kh * ((2 * pairs1 + singles1) - (2 * pairs0 + singles0))
            dotRuns += odd
            dotWords += odd * (run / 4)
            dotBytes += odd * (run % 4)
            edgeTaps += slow * kh * kw * oc
            edgeBytes += slow * kh * kw * oc * ic
            edgeElements += slow * oc
            edgeRows += slow * kh * oc
        }
    }
}
