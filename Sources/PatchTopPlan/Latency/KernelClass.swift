import PatchTopModel

/// The exported C kernel an op runs, as far as its cost goes: each has its
/// own calibrated coefficients over its loop counts (`KernelLoops`), so
/// the op's shape (1×1 or 10×4, 64×64 or 8×8, strided, padded) is in the
/// features, not in the class: a shape the calibration never saw is
/// predicted from the same loop-body costs.
///
/// A kernel rewrite (a DSP path, say) is absorbed by re-measuring:
/// `Scripts/calibrate_latency.py` refits every coefficient.
public enum KernelClass: String, CaseIterable, Codable, Comparable, Sendable {
    /// int8 CONV_2D other than an unpadded 1×1 on a multiple of 4
    /// channels (`pt_conv_s8`'s paired KxK path, or its im2col path for a
    /// window of at most 64 bytes): its loop counts (`KernelLoops`) tell a
    /// 10×4 first layer from a 3×3 conv on a small map, so one set of
    /// coefficients covers them all.
    case conv = "conv"
    /// int8 CONV_2D whose whole window is at most 64 bytes (a first conv on
    /// 1–7 channels): `pt_conv_im2col`, each pixel pair's window gathered
    /// into a row of words, then the paired 1×1 loops over them
    /// (`KernelLoops.im2col`). Its own class: its loops are not the KxK
    /// path's, whose coefficients it would otherwise share.
    case convIm2col = "conv-im2col"
    /// int8 CONV_2D 1×1 without padding on a multiple of 4 input channels:
    /// `pt_conv_s8`'s paired 1×1 path (two pixels × two channels a block,
    /// the filter interleaved at export, a 4-instruction requantization).
    case conv1x1 = "conv-1x1"
    /// int8 DEPTHWISE_CONV_2D of channels in groups of four, depth
    /// multiplier 1, an undilated window of at most 8×8: `pt_depthwise_s8`
    /// runs it four channels at a time through a plane on the stack
    /// (`pt_dw_tile4`, `KernelLoops.tile4`), layer by layer and in a patch.
    case depthwise = "depthwise"
    /// Every other int8 DEPTHWISE_CONV_2D (channels not in fours, a depth
    /// multiplier, a dilated or larger window): `pt_depthwise_s8`'s pixel
    /// by pixel path (`KernelLoops.depthwise`), whose loops are not
    /// `pt_dw_tile4`'s, so not its coefficients.
    case depthwiseGeneric = "depthwise-generic"
    /// A depthwise conv computed in place (`--inplace-depthwise`): channel
    /// by channel through a staged plane, whatever its kernel (the plan, not
    /// the op, chooses it).
    case depthwiseInPlace = "depthwise-in-place"
    /// int8 FULLY_CONNECTED.
    case fullyConnected = "fully-connected"
    /// AVERAGE_POOL_2D and MAX_POOL_2D.
    case pool = "pool"
    /// int8 MEAN (`pt_mean_s8`).
    case mean = "mean"
    /// Two-input elementwise ops: ADD, SUB, MUL, MAXIMUM, MINIMUM.
    case binary = "binary"
    /// One-input elementwise ops: activations through a table, QUANTIZE,
    /// DEQUANTIZE, RELU, HARD_SWISH, …
    case unary = "unary"
    /// QUANTIZE of a float32 input (float arithmetic per element).
    case quantize = "quantize"
    /// DEQUANTIZE to a float32 output (double-precision arithmetic per element).
    case dequantize = "dequantize"
    /// RESHAPE and SQUEEZE: the bytes copied as they are (int8 or float32).
    case copy = "copy"
    /// SOFTMAX and LOG_SOFTMAX (int8).
    case softmax = "softmax"
    /// Other ops that only move bytes, int8 or float32 (the same C):
    /// CONCATENATION, PAD, TRANSPOSE, STRIDED_SLICE,
    /// RESIZE_NEAREST_NEIGHBOR, constant fills, …
    case movement = "movement"
    /// float32 CONV_2D, DEPTHWISE_CONV_2D (also in place) and
    /// FULLY_CONNECTED (`pt_conv_f32`, `pt_fc_f32`).
    case floatWeighted = "float-weighted"
    /// Every other float32 op.
    case floatOther = "float-other"
    /// float32 AVERAGE_POOL_2D and MAX_POOL_2D (`pt_pool_f32`).
    case floatPool = "float-pool"
    /// float32 activations (`pt_unary_f32`: RELU, RELU6, LEAKY_RELU,
    /// HARD_SWISH, LOGISTIC, TANH).
    case floatUnary = "float-unary"
    /// float32 ADD, SUB, MUL, MAXIMUM, MINIMUM.
    case floatBinary = "float-binary"
    /// float32 SOFTMAX and LOG_SOFTMAX.
    case floatSoftmax = "float-softmax"
    /// float32 MEAN (`pt_mean_f32`: `pt_mean_s8`'s loops, a float add an
    /// input where int8 adds 64 bits).
    case floatMean = "float-mean"

    /// The class of `op` in `model` (the plan's rewritten model).
    public init(op: Operator, in model: Model) {
        switch op.kind {
        // Byte movers: the same C for every element type.
        case .reshape, .squeeze: self = .copy; return
        case .pad, .concatenation, .transpose, .stridedSlice, .resizeNearestNeighbor, .shape, .pack, .gather, .other:
            self = .movement; return
        default: break
        }
        let float = model.tensors[op.output].type == .float32
            && op.kind != .quantize && op.kind != .dequantize
        if float {
            switch op.kind {
            case .conv2D, .depthwiseConv2D, .fullyConnected: self = .floatWeighted
            case .averagePool2D, .maxPool2D: self = .floatPool
            case .hardSwish, .logistic, .relu, .relu6, .leakyRelu, .tanh: self = .floatUnary
            case .add, .sub, .mul, .maximum, .minimum: self = .floatBinary
            case .softmax, .logSoftmax: self = .floatSoftmax
            case .mean: self = .floatMean
            default: self = .floatOther
            }
            return
        }
        switch op.kind {
        case .conv2D:
            if !Self.hasFastRequantization(op, in: model) {
                // The exporter pairs a conv's filter only with the fast
                // requantization: without it, `pt_conv_s8`'s plain path.
                self = .conv
            } else if Self.isPaired(op, in: model) {
                self = .conv1x1
            } else if let (h, w) = model.windowGeometry(of: op), let input = op.input(0),
                      KernelLoops.isIm2col(height: h, width: w, inputChannels: model.tensors[input].shape.last ?? 0) {
                self = .convIm2col
            } else {
                self = .conv
            }
        case .depthwiseConv2D:
            self = Self.isTile4(op, in: model) && Self.hasFastRequantization(op, in: model) ? .depthwise : .depthwiseGeneric
        case .fullyConnected: self = .fullyConnected
        case .averagePool2D, .maxPool2D: self = .pool
        case .mean: self = .mean
        case .add, .sub, .mul, .maximum, .minimum: self = .binary
        case .softmax, .logSoftmax: self = .softmax
        case .quantize where op.input(0).map({ model.tensors[$0].type == .float32 }) ?? false: self = .quantize
        case .dequantize where model.tensors[op.output].type == .float32: self = .dequantize
        case .hardSwish, .logistic, .relu, .relu6, .leakyRelu, .tanh, .quantize, .dequantize: self = .unary
        default: self = .movement
        }
    }

    /// Whether the exporter gives int8 CONV_2D or DEPTHWISE_CONV_2D `op` the
    /// fast requantization constants (`ModelEmitter.fastRequantization`:
    /// every channel's multiplier a right shift, every accumulator bound
    /// below 2^30 and the constant's high word in range): the paired conv
    /// layouts, `pt_dw_tile4` and the assembly depthwise paths need them;
    /// without, the kernels take their plain paths. The multipliers as
    /// TFLite's QuantizeMultiplier makes them.
    static func hasFastRequantization(_ op: Operator, in model: Model) -> Bool {
        guard let input = op.input(0), let filter = op.input(1),
              let qi = model.tensors[input].quantization, let qo = model.tensors[op.output].quantization,
              let qf = model.tensors[filter].quantization, let weights = model.tensors[filter].data else { return true }
        let shape = model.tensors[filter].shape
        guard shape.count == 4, weights.count == shape.reduce(1, *) else { return true }
        let depthwise = op.kind == .depthwiseConv2D
        let oc = depthwise ? shape[3] : shape[0], perChannel = weights.count / max(oc, 1)
        var bias: [Int64]? = nil
        if let b = op.input(2), b >= 0, let data = model.tensors[b].data, model.tensors[b].type == .int32, data.count == 4 * oc {
            bias = (0..<oc).map { o in
                Int64(Int32(bitPattern: UInt32(data[4 * o]) | UInt32(data[4 * o + 1]) << 8 | UInt32(data[4 * o + 2]) << 16
                                        | UInt32(data[4 * o + 3]) << 24))
            }
        }
        let inputOffset = -Int64(qi.zeroPoints.first ?? 0), zp = qo.zeroPoints.first ?? 0
        for o in 0..<oc {
            let filterScale = Double(qf.scales.count == oc ? qf.scales[o] : qf.scale)
            let real = Double(qi.scale) * filterScale / Double(qo.scale)
            guard real > 0, real.isFinite else { return false }
            // QuantizeMultiplier: real = q · 2^shift, q in [0.5, 1) rounded to 31 bits.
            var shift = Int64(real.exponent) + 1
            var q = (real / Double(sign: .plus, exponent: Int(shift), significand: 1) * Double(Int64(1) << 31)).rounded()
            if q == Double(Int64(1) << 31) { q /= 2; shift += 1 }
            if shift < -31 { shift = 0; q = 0 }
            let e = -shift
            guard q >= 0, e >= 1 else { return false }
            let b = bias?[o] ?? 0
            func passes(_ bound: Int64) -> Bool {
                guard bound < (1 << 30) else { return false }
                if e <= 31 {
                    let base = (Int64(1) << (e - 1)) + zp * (Int64(1) << e)
                    if abs(base) + bound + 2 < (Int64(1) << 31) { return true }
                }
                return e >= 62 || bound < (Int64(1) << (e - 1))
            }
            // Every weight at most 127 in magnitude first (no pass over the
            // weights), the weights' own sums only where that is not enough.
            let most = 127 * Int64(perChannel)
            if passes(max(abs(b) + abs(inputOffset) * most + 128 * most, abs(b) + 255 * most)) { continue }
            var sum: Int64 = 0, absSum: Int64 = 0
            for t in 0..<perChannel {
                let w = Int64(Int8(bitPattern: weights[depthwise ? t * oc + o : o * perChannel + t]))
                sum += w; absSum += abs(w)
            }
            guard passes(max(abs(b + inputOffset * sum) + 128 * absSum, abs(b) + 255 * absSum)) else { return false }
        }
        return true
    }

    /// Whether `pt_depthwise_s8` runs int8 DEPTHWISE_CONV_2D `op` through
    /// `pt_dw_tile4` (`KernelLoops.tile4Fits` over its whole output: the
    /// choice does not depend on the region when not in place).
    static func isTile4(_ op: Operator, in model: Model) -> Bool {
        guard let (h, w) = model.windowGeometry(of: op), let input = op.input(0) else { return false }
        let ic = model.tensors[input].shape.last ?? 0, oc = model.tensors[op.output].shape.last ?? 0
        return ic == oc && KernelLoops.tile4Fits(height: h, width: w, channels: ic, rows: 0..<h.outputSize, cols: 0..<w.outputSize,
                                                 inPlace: false)
    }

    /// Whether the export runs `op` (an int8 CONV_2D) down the paired 1×1
    /// path: a 1×1 filter over every input channel, no padding before, the
    /// input channels a multiple of 4. (The exporter also checks that its
    /// fast requantization is exact for the op's multipliers, which holds
    /// for every model we have; where it does not, the op takes the
    /// generic path at a higher cost than predicted.)
    static func isPaired(_ op: Operator, in model: Model) -> Bool {
        guard let (h, w) = model.windowGeometry(of: op), h.filterSize == 1, w.filterSize == 1,
              h.padBefore == 0, w.padBefore == 0,
              let input = op.input(0), let filter = op.input(1) else { return false }
        let ic = model.tensors[input].shape.last ?? 0
        return ic >= 4 && ic % 4 == 0 && model.tensors[filter].shape.last == ic
    }

    public static func < (a: KernelClass, b: KernelClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
