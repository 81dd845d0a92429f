/// The weight-carrying kernels in the form the executors call them: the
/// parameters, weights and bias prepared once at load time, then run on
/// any region of the tensors as often as needed.
///
/// Executors only see `run`; how a kernel stores its weights (repacked,
/// with precomputed offset sums) is its own business, so it can change for
/// speed without touching the executors.

/// A CONV_2D ready to run.
public struct Conv2DKernel: Sendable {
    public let params: Conv2DParams
    let filter: [Int8]
    let bias: [Int32]?
    /// The repacked SIMD form, nil when only the reference loops apply.
    let fast: FastConv2D?

    public init(_ params: Conv2DParams, filter: [Int8], bias: [Int32]?) {
        self.params = params
        self.filter = filter
        self.bias = bias
        fast = FastConv2D.supports(params) ? FastConv2D(params, filter: filter, bias: bias) : nil
    }

    /// Computes output rows `outputRows` × columns `outputCols` (full-tensor
    /// coordinates) into `output`, which holds `outputRegion`; `input` holds
    /// `inputRegion` and covers every in-image pixel those outputs read.
    public func run(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        if let fast {
            fast.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                     outputRows: outputRows, outputCols: outputCols)
            return
        }
        runReference(input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                     outputRows: outputRows, outputCols: outputCols)
    }

    /// The straightforward reference loops (the fast path's test oracle).
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
public struct DepthwiseConv2DKernel: Sendable {
    public let params: DepthwiseConv2DParams
    let filter: [Int8]
    let bias: [Int32]?
    /// The repacked SIMD form, nil when only the reference loops apply
    /// (depth multiplier above 1).
    let fast: FastDepthwiseConv2D?

    public init(_ params: DepthwiseConv2DParams, filter: [Int8], bias: [Int32]?) {
        self.params = params
        self.filter = filter
        self.bias = bias
        fast = FastDepthwiseConv2D.supports(params) ? FastDepthwiseConv2D(params, filter: filter, bias: bias) : nil
    }

    /// Same contract as `Conv2DKernel.run`.
    public func run(input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
                    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        if let fast {
            fast.run(params, input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                     outputRows: outputRows, outputCols: outputCols)
            return
        }
        runReference(input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                     outputRows: outputRows, outputCols: outputCols)
    }

    /// The straightforward reference loops (the fast path's test oracle).
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
public struct FullyConnectedKernel: Sendable {
    public let params: FullyConnectedParams
    let filter: [Int8]
    let bias: [Int32]?
    let fast: FastFullyConnected

    public init(_ params: FullyConnectedParams, filter: [Int8], bias: [Int32]?) {
        self.params = params
        self.filter = filter
        self.bias = bias
        fast = FastFullyConnected(params, filter: filter)
    }

    /// Computes every output row from the flattened input.
    public func run(input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
        withOptionalBuffer(bias) { b in fast.run(params, input: input, bias: b, output: output) }
    }

    /// The straightforward reference loops (the fast path's test oracle).
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
