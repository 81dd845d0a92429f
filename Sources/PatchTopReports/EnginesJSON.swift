import PatchTopModel
import PatchTopPlan

/// `engines` in `patchtop analyze --json`: what each inference engine would
/// reserve for the model. `tflm` is `null` (never a guess) when PatchTop
/// cannot predict TFLite Micro's arena, with `tflmUnavailable` saying why;
/// `tinyEngine` likewise (`TinyEngineJSON`), with `tinyEngineUnavailable`.
public struct EnginesJSON: Codable, Equatable, Sendable {
    public var tflm: TFLiteMicroJSON?
    public var tflmUnavailable: String?
    public var tinyEngine: TinyEngineJSON?
    public var tinyEngineUnavailable: String?

    public init(tflm prediction: Result<TFLiteMicroArena, TFLiteMicroUnavailable>, tinyEngine: TinyEngineEngineJSON? = nil) {
        switch prediction {
        case .success(let arena): tflm = TFLiteMicroJSON(arena)
        case .failure(let unavailable): tflmUnavailable = unavailable.reason
        }
        self.tinyEngine = tinyEngine?.tinyEngine
        tinyEngineUnavailable = tinyEngine?.tinyEngineUnavailable
    }

    enum CodingKeys: String, CodingKey { case tflm, tflmUnavailable, tinyEngine, tinyEngineUnavailable }

    /// Writes `tflm` even when it is `null`, so scripts see the key (and
    /// `tinyEngine` whenever TinyEngine was asked).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tflm, forKey: .tflm)
        try container.encodeIfPresent(tflmUnavailable, forKey: .tflmUnavailable)
        if tinyEngine != nil || tinyEngineUnavailable != nil {
            try container.encode(tinyEngine, forKey: .tinyEngine)
            try container.encodeIfPresent(tinyEngineUnavailable, forKey: .tinyEngineUnavailable)
        }
    }
}
