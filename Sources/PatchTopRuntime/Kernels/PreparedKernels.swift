/// The weight-carrying kernels in the form the executors call them: the
/// parameters, weights and bias prepared once at load time, then run on
/// any region of the tensors as often as needed.
///
/// Executors only see `run`; how a kernel stores its weights (repacked,
/// with precomputed offset sums) is its own business, so it can change for
/// speed without touching the executors.

/// A CONV_2D ready to run.
struct Conv2DKernel: Sendable {
    let params: Conv2DParams
    let filter: [Int8]
    let bias: [Int32]?
    /// The form that runs: the AVX2 kernel, the portable SIMD one, or
    /// (absurd requantization parameters) the reference loops.
    let implementation: Implementation

    enum Implementation: Sendable {
        case vnni(VNNIConv2D)
        case avx2(AVX2Conv2D)
        case portable(PortableConv2D)
        case reference
    }

    /// Prepares the kernel for `path` (by default the process's), falling
    /// back to a slower exact form where that path cannot take the op.
    init(_ params: Conv2DParams, filter: [Int8], bias: [Int32]?, path: KernelPath = .active) {
        self.params = params
        self.filter = filter
        self.bias = bias
        if path == .vnni, let form = VNNIConv2D.Form.best, VNNIConv2D.supports(params, form: form) {
            implementation = .vnni(VNNIConv2D(params, filter: filter, bias: bias, form: form))
        } else if path.usesAVX2, AVX2Conv2D.supports(params) {
            implementation = .avx2(AVX2Conv2D(params, filter: filter, bias: bias))
        } else if PortableConv2D.supports(params) {
            implementation = .portable(PortableConv2D(params, filter: filter, bias: bias))
        } else {
            implementation = .reference
        }
    }

    /// The VNNI kernel in a given instruction form (the tests run its
    /// emulated form on any AVX2 CPU); the AVX2 one where it cannot run.
    init(_ params: Conv2DParams, filter: [Int8], bias: [Int32]?, vnni form: VNNIConv2D.Form) {
        self.params = params
        self.filter = filter
        self.bias = bias
        implementation = VNNIConv2D.supports(params, form: form)
            ? .vnni(VNNIConv2D(params, filter: filter, bias: bias, form: form))
            : .avx2(AVX2Conv2D(params, filter: filter, bias: bias))
    }

    /// The path this kernel runs on; nil for the reference loops.
    var path: KernelPath? {
        switch implementation {
        case .vnni: .vnni
        case .avx2: .avx2
        case .portable: .portable
        case .reference: nil
        }
    }

    /// Computes output rows `outputRows` × columns `outputCols` (full-tensor
    /// coordinates) into `output`, which holds `outputRegion`; `input` holds
    /// `inputRegion` and covers every in-image pixel those outputs read.
    func run(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        switch implementation {
        case .vnni(let k):
            k.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                  outputRows: outputRows, outputCols: outputCols)
        case .avx2(let k):
            k.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                  outputRows: outputRows, outputCols: outputCols)
        case .portable(let k):
            k.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                  outputRows: outputRows, outputCols: outputCols)
        case .reference:
            runReference(input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                         outputRows: outputRows, outputCols: outputCols)
        }
    }

    /// The straightforward reference loops (the portable path's test oracle).
    func runReference(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                      output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                      outputRows: Range<Int>, outputCols: Range<Int>) {
        filter.withUnsafeBufferPointer { f in
            withOptionalBuffer(bias) { b in
                conv2DInt8(params, input: input, inputRegion: inputRegion, filter: f, bias: b,
                           output: output, outputRegion: outputRegion, outputRows: outputRows, outputCols: outputCols)
            }
        }
    }
}

/// A DEPTHWISE_CONV_2D ready to run.
struct DepthwiseConv2DKernel: Sendable {
    let params: DepthwiseConv2DParams
    let filter: [Int8]
    let bias: [Int32]?
    /// As `Conv2DKernel.implementation`; a depth multiplier above 1 runs
    /// the reference loops on the portable path.
    let implementation: Implementation

    enum Implementation: Sendable {
        case avx2(AVX2DepthwiseConv2D)
        case portable(PortableDepthwiseConv2D)
        case reference
    }

    init(_ params: DepthwiseConv2DParams, filter: [Int8], bias: [Int32]?, path: KernelPath = .active) {
        self.params = params
        self.filter = filter
        self.bias = bias
        if path.usesAVX2, AVX2DepthwiseConv2D.supports(params) {
            implementation = .avx2(AVX2DepthwiseConv2D(params, filter: filter, bias: bias))
        } else if PortableDepthwiseConv2D.supports(params) {
            implementation = .portable(PortableDepthwiseConv2D(params, filter: filter, bias: bias))
        } else {
            implementation = .reference
        }
    }

    /// The path this kernel runs on; nil for the reference loops.
    var path: KernelPath? {
        switch implementation {
        case .avx2: .avx2
        case .portable: .portable
        case .reference: nil
        }
    }

    /// Same contract as `Conv2DKernel.run`.
    func run(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        switch implementation {
        case .avx2(let k):
            k.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                  outputRows: outputRows, outputCols: outputCols)
        case .portable(let k):
            k.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                  outputRows: outputRows, outputCols: outputCols)
        case .reference:
            runReference(input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                         outputRows: outputRows, outputCols: outputCols)
        }
    }

    /// The straightforward reference loops (the portable path's test oracle).
    func runReference(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                      output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                      outputRows: Range<Int>, outputCols: Range<Int>) {
        filter.withUnsafeBufferPointer { f in
            withOptionalBuffer(bias) { b in
                depthwiseConv2DInt8(params, input: input, inputRegion: inputRegion, filter: f, bias: b,
                                    output: output, outputRegion: outputRegion, outputRows: outputRows, outputCols: outputCols)
            }
        }
    }
}

/// A FULLY_CONNECTED ready to run.
struct FullyConnectedKernel: Sendable {
    let params: FullyConnectedParams
    let filter: [Int8]
    let bias: [Int32]?
    let implementation: Implementation

    enum Implementation: Sendable {
        case avx2(AVX2FullyConnected)
        case portable(PortableFullyConnected)
    }

    init(_ params: FullyConnectedParams, filter: [Int8], bias: [Int32]?, path: KernelPath = .active) {
        self.params = params
        self.filter = filter
        self.bias = bias
        if path.usesAVX2, AVX2FullyConnected.supports(params) {
            implementation = .avx2(AVX2FullyConnected(params, filter: filter))
        } else {
            implementation = .portable(PortableFullyConnected(params, filter: filter))
        }
    }

    /// The path this kernel runs on.
    var path: KernelPath {
        switch implementation {
        case .avx2: .avx2
        case .portable: .portable
        }
    }

    /// Computes every output row from the flattened input.
    func run(input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
        withOptionalBuffer(bias) { b in
            switch implementation {
            case .avx2(let k): k.run(params, input: input, bias: b, output: output)
            case .portable(let k): k.run(params, input: input, bias: b, output: output)
            }
        }
    }

    /// The straightforward reference loops (the portable path's test oracle).
    func runReference(input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
        filter.withUnsafeBufferPointer { f in
            withOptionalBuffer(bias) { b in
                fullyConnectedInt8(params, input: input, filter: f, bias: b, output: output)
            }
        }
    }
}

func withOptionalBuffer<R>(_ array: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}
