/// Sizes and alignments of the C++ structs TFLite Micro puts in its arena,
/// as its Python package (`pip install tflite-micro`) lays them out: a 64-bit
/// host, `TF_LITE_STATIC_MEMORY` (the reduced `TfLiteTensor`), and
/// `USE_TFLM_COMPRESSION` (the published wheel is built with it, which adds
/// fields to `SubgraphAllocations` and some kernels' op data).
///
/// Example: person_detect's tail of 29,968 bytes starts with the 104 + 72 +
/// 272 + 16 bytes of the Python interpreter's own allocator objects, then
/// 89 × 24 bytes of `TfLiteEvalTensor`s and 31 × 64 bytes of nodes.
///
/// The figures were read from TFLite Micro's headers (the sizeof of each
/// type on x86-64) and agree, category by category, with what its
/// `RecordingMicroAllocator` reports on the measured models
/// (SampleModels/tflm-arena.json). A 32-bit microcontroller build has
/// smaller structs (pointers of 4 bytes) and no recording allocator, so its
/// arena is smaller; PatchTop predicts the measurable host figure.
enum TFLiteMicroHost {
    /// Every buffer TFLite Micro plans or hands to a kernel is aligned to 16
    /// bytes (`MicroArenaBufferAlignment()`), and planned sizes are rounded
    /// up to it.
    static let bufferAlignment = 16

    /// The Python interpreter's allocator objects, in the order
    /// `RecordingMicroAllocator::Create` and `StartModelAllocation` put them
    /// in the tail: the recording arena allocator, the greedy planner, the
    /// recording micro allocator, then the builtin-data allocator.
    static let allocatorObjects: [(name: String, size: Int, alignment: Int)] = [
        ("RecordingSingleArenaBufferAllocator", 104, 8),
        ("GreedyMemoryPlanner", 72, 8),
        ("RecordingMicroAllocator", 272, 8),
        ("MicroBuiltinDataAllocator", 16, 8),
    ]

    /// One per subgraph: node array, eval tensor array, compressed tensors.
    static let subgraphAllocations = (size: 24, alignment: 8)
    /// `TfLiteEvalTensor`: data pointer, dims pointer, type.
    static let evalTensor = (size: 24, alignment: 8)
    /// `NodeAndRegistration`: a reduced `TfLiteNode` and a registration pointer.
    static let nodeAndRegistration = (size: 64, alignment: 8)
    /// The reduced `TfLiteTensor` of `TF_LITE_STATIC_MEMORY`.
    static let tensor = (size: 64, alignment: 8)
    /// `TfLiteAffineQuantization`: scale and zero-point array pointers, axis.
    static let affineQuantization = (size: 24, alignment: 8)
    /// `TfLiteIntArray` of n ints: a size field, then the ints.
    static func intArrayBytes(_ count: Int) -> Int { 4 + 4 * count }
    static let intArrayAlignment = 4
    /// `ScratchBufferHandle`: one data pointer per requested scratch buffer.
    static let scratchBufferHandle = (size: 8, alignment: 8)
    /// `internal::ScratchBufferRequest`: bytes, node index, subgraph index.
    static let scratchBufferRequest = (size: 16, alignment: 8)
    /// Scratch requests one kernel may make (`kMaxScratchBuffersPerOp`);
    /// the head keeps room for that many more while ops are prepared.
    static let maxScratchBuffersPerOp = 12
    /// `AllocationInfo`, one per tensor and scratch buffer while planning.
    static let allocationInfo = (size: 32, alignment: 8)
    /// The greedy planner's working memory per buffer: requirements (16),
    /// sorted size and id (4 + 4), list entry (12), offset (4).
    static let plannerBytesPerBuffer = 40
    /// `TfLiteTensor*`, for the interpreter's input and output tensor arrays.
    static let pointerBytes = 8
}
