/// What a `.tflite` file holds beyond subgraph 0's graph, for tools that must
/// see the file as a runtime does.
///
/// Example: person_detect has one subgraph, no metadata, and every quantized
/// tensor carries zero points, so TFLite Micro allocates for it exactly what
/// its graph implies. A file with a second subgraph (control flow), an
/// offline memory plan in its metadata, or buffers stored outside the
/// flatbuffer makes TFLite Micro allocate differently; `Model` keeps only
/// subgraph 0, so these facts travel beside it.
public struct TFLiteFileFacts: Equatable, Sendable {
    /// Subgraphs in the file (TFLite Micro allocates for all of them).
    public var subgraphCount: Int
    /// Names of the file's metadata entries (`"OfflineMemoryAllocation"`,
    /// `"COMPRESSION_METADATA"`, `"min_runtime_version"`, …).
    public var metadataNames: [String]
    /// Subgraph 0 tensors with quantization scales but an empty zero-point
    /// vector: `Quantization` reads them as zero point 0, while TFLite Micro
    /// then gives the tensor no quantization at all.
    public var tensorsWithoutZeroPoints: [Int]
    /// Subgraph 0 tensors whose data lies outside the flatbuffer (files over
    /// 2 GB): TFLite Micro does not read such data and treats them as
    /// activations.
    public var tensorsWithExternalData: [Int]
    /// Subgraph 0 ops that list intermediate tensors (quantized LSTMs).
    public var operatorsWithIntermediates: [Int]

    public init(
        subgraphCount: Int = 1, metadataNames: [String] = [], tensorsWithoutZeroPoints: [Int] = [],
        tensorsWithExternalData: [Int] = [], operatorsWithIntermediates: [Int] = []
    ) {
        self.subgraphCount = subgraphCount
        self.metadataNames = metadataNames
        self.tensorsWithoutZeroPoints = tensorsWithoutZeroPoints
        self.tensorsWithExternalData = tensorsWithExternalData
        self.operatorsWithIntermediates = operatorsWithIntermediates
    }
}

extension TFLiteFileFacts {
    /// Reads the facts from a file's bytes (already checked by
    /// `TFLiteReader.read`, so the tables exist).
    static func read(root: Table, subgraph: Table, buffers: [Table]) throws(ModelError) -> TFLiteFileFacts {
        var facts = TFLiteFileFacts(subgraphCount: try root.tables(2).count)
        facts.metadataNames = try root.tables(6).map { (entry: Table) throws(ModelError) -> String in try entry.string(0) ?? "" }
        for (index, tensor) in try subgraph.tables(0).enumerated() {
            if let quantization = try tensor.table(4),
               let scales = try quantization.vector(2, elementSize: 4), scales.count > 0,
               (try quantization.vector(3, elementSize: 8))?.count ?? 0 == 0 {
                facts.tensorsWithoutZeroPoints.append(index)
            }
            let bufferIndex = Int(try tensor.uint32(2))
            if bufferIndex != 0, bufferIndex < buffers.count {
                let buffer = buffers[bufferIndex]
                let inline = (try buffer.vector(0, elementSize: 1))?.count ?? 0
                if inline == 0, try buffer.uint64(1) > 1, try buffer.uint64(2) > 0 {
                    facts.tensorsWithExternalData.append(index)
                }
            }
        }
        for (index, op) in try subgraph.tables(3).enumerated() where (try op.vector(8, elementSize: 4))?.count ?? 0 > 0 {
            facts.operatorsWithIntermediates.append(index)
        }
        return facts
    }
}
