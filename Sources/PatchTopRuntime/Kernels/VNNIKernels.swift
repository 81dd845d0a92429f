import CPatchTopKernels
import PatchTopModel

/// CONV_2D through VNNI's `vpdpbusd` (`Sources/CPatchTopKernels/conv_vnni.c`):
/// four unsigned-by-signed byte products per int32 lane, four times the
/// MACs of `vpmaddwd` per instruction. The input is made unsigned by adding
/// 128; the bias absorbs `(inputOffset − 128)·Σw` per output channel, and
/// the padding holds the byte whose input plus offset is 0, so the sums are
/// the reference's exactly (modulo 2^32, as its int32 sums).
struct VNNIConv2D: Sendable {
    /// Which instruction form runs: the VEX one (AVX-VNNI), the EVEX one on
    /// 256-bit vectors (AVX-512 VNNI + VL), or an exact AVX2 emulation of
    /// the instruction, which lets the tests check everything else of this
    /// kernel on a CPU without VNNI.
    enum Form: Sendable {
        case avxVNNI, avx512VNNI, emulated

        /// The real form this CPU has, if any.
        static var best: Form? {
            let cpu = CPUFeatures.current
            guard cpu.contains(.avx2) else { return nil }
            if cpu.contains(.avxVNNI) { return .avxVNNI }
            if cpu.contains(.avx512VNNI) { return .avx512VNNI }
            return nil
        }

        var isAvailable: Bool {
            let cpu = CPUFeatures.current
            switch self {
            case .avxVNNI: return cpu.contains(.avx2) && cpu.contains(.avxVNNI)
            case .avx512VNNI: return cpu.contains(.avx2) && cpu.contains(.avx512VNNI)
            case .emulated: return cpu.contains(.avx2)
            }
        }
    }

    let form: Form
    let packed: [Int8]
    /// The requantization with the corrected bias.
    let table: CRequantTable

    init(_ p: Conv2DParams, filter: [Int8], bias: [Int32]?, form: Form) {
        let taps = p.height.filterSize * p.width.filterSize
        let oc = Int32(p.outputChannels), ic = Int32(p.inputChannels), t = Int32(taps)
        var packed = [Int8](repeating: 0, count: max(pt_conv_packed_count_vnni(oc, t, ic), 32))
        var sums = [Int32](repeating: 0, count: p.outputChannels)
        filter.withUnsafeBufferPointer { f in
            packed.withUnsafeMutableBufferPointer { w in
                sums.withUnsafeMutableBufferPointer { pt_conv_pack_vnni(f.baseAddress, oc, t, ic, w.baseAddress, $0.baseAddress) }
            }
        }
        let correction = p.inputOffset &- 128
        let corrected = (0..<p.outputChannels).map { (bias?[$0] ?? 0) &+ correction &* sums[$0] }
        self.form = form
        self.packed = packed
        table = CRequantTable(channels: p.outputChannels, bias: corrected, folded: nil, multipliers: p.multipliers,
                              shifts: p.shifts, outputOffset: p.outputOffset, activationMin: p.activationMin,
                              activationMax: p.activationMax)
    }

    /// The AVX2 conditions, and an input offset of a real zero point's
    /// range, so that the padding's unsigned byte `128 − offset` exists.
    static func supports(_ p: Conv2DParams, form: Form) -> Bool {
        form.isAvailable && (-127...128).contains(p.inputOffset) && AVX2Conv2D.supports(p)
    }

    func run(_ p: Conv2DParams, input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
             output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
             outputRows: Range<Int>, outputCols: Range<Int>) {
        guard let X = input.baseAddress, let Y = output.baseAddress, !outputRows.isEmpty, !outputCols.isEmpty else { return }
        var window = pt_window(batches: p.batches, inputChannels: p.inputChannels, outputChannels: p.outputChannels,
                               height: p.height, width: p.width, inputOffset: p.inputOffset,
                               inputRegion: inputRegion, outputRegion: outputRegion, rows: outputRows, cols: outputCols)
        let scratch = pt_conv_scratch_bytes_vnni(&window)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(scratch, 64)) { s in
            packed.withUnsafeBufferPointer { w in
                table.withRequant { rq in
                    switch form {
                    case .avxVNNI: pt_conv_avxvnni(&window, X, w.baseAddress, rq, Y, s.baseAddress)
                    case .avx512VNNI: pt_conv_avx512vnni(&window, X, w.baseAddress, rq, Y, s.baseAddress)
                    case .emulated: pt_conv_vnni_emulated(&window, X, w.baseAddress, rq, Y, s.baseAddress)
                    }
                }
            }
        }
    }
}
